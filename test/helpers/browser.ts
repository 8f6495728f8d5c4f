import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

// A real browser for the tests of what runs in one (GraphiQL): Debian's chromium package, driven
// by playwright-core, which downloads no browser of its own (the machines have no internet).

/** Where Debian's chromium package puts the browser; scripts/install-chromium.sh installs it. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Whether Chromium is installed. Elsewhere (a laptop without it) the browser tests are skipped and
 * say why; in CI (CI=true) a missing Chromium fails the run instead, naming `purpose`.
 */
export function probeChromium(purpose: string): boolean {
  const installed = existsSync(CHROMIUM);
  if (!installed && process.env.CI) {
    throw new Error(`CI needs Chromium at ${CHROMIUM} for ${purpose}: run scripts/install-chromium.sh`);
  }
  return installed;
}

/**
 * Headless Chromium on a fresh temporary profile (playwright's launch makes one and deletes it).
 * No sandbox: the tests run as root in containers, where Chromium's sandbox cannot start. The
 * background-networking flags keep Chromium from calling Google's hosts (updates, sync, field
 * trials), which the closed network refuses and which would only add noise and delay.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page in a context of its own (no storage shared with another page), and what it did. */
export type RecordedPage = {
  page: Page;
  context: BrowserContext;
  /** Every URL the page or its workers asked for (most of them twice: see recordedPage). */
  requests: string[];
  /** Uncaught exceptions and console errors, as text. */
  problems: string[];
};

/** Opens a blank page that records its requests and problems from the first one on. */
export async function recordedPage(browser: Browser): Promise<RecordedPage> {
  // Room for GraphiQL's editors side by side, so a short result fits without scrolling: the
  // result editor draws only the lines in view.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  // Generous, never asserted: the page is 9 MB of script and the machines are shared.
  page.setDefaultTimeout(60_000);
  const recorded: RecordedPage = { page, context, requests: [], problems: [] };
  page.on("request", (request) => recorded.requests.push(request.url()));
  // playwright leaves out of its events every request for a URL ending in /favicon.ico (a page's
  // icon may be anywhere); Chromium's own network events do not, so the page's are recorded too.
  const devtools = await context.newCDPSession(page);
  devtools.on("Network.requestWillBeSent", (event) => recorded.requests.push(event.request.url));
  await devtools.send("Network.enable");
  page.on("pageerror", (error) => recorded.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") recorded.problems.push(`console error: ${message.text()}`);
  });
  return recorded;
}

/**
 * The URLs among `urls` that are not of `origin`. A blob: URL has the origin of the page that
 * made it (GraphiQL's editor workers are blobs of scripts the page carries); data: URLs are
 * inline content, never fetched from anywhere, so they count as not leaving.
 */
export function offOrigin(urls: string[], origin: string): string[] {
  return urls.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
}
