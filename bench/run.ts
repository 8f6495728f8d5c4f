// npm run bench: our server against a hand-written node:http + better-sqlite3 handler and
// against Apollo Server with plain Prisma resolvers, on the same generated catalog, in one run.
// Ratios between them are the headline; absolute numbers depend on the machine and its load.
//
//   BENCH_PRODUCTS     catalog size (10000)
//   BENCH_DURATION     measured seconds per run (10), after a 3 s warm-up
//   BENCH_QUICK=1      ~300 products, 1 s runs, 1 connection, no warm-up: checks the harness
//                      works (test/bench-smoke.test.ts), measures nothing
//   BENCH_RESULTS_DIR  where the .md and .json reports go (bench/results)
//
// Progress goes to stderr; the report (markdown) to stdout. Exits 1 when any request failed.

import { spawn } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { createCatalog } from "./catalog.ts";
import type { LoadJob, LoadResult } from "./load.ts";
import { buildReport, describeMachine, type Run, type Settings, writeReport } from "./report.ts";
import { type BenchData, requestHeaders, type Scenario, scenarios, type TargetName } from "./scenarios.ts";
import { countStatements } from "./statements.ts";
import {
  startApollo,
  startHandWritten,
  startOurs,
  startOursWithoutPermissions,
  type Target,
} from "./targets.ts";

const quick = process.env.BENCH_QUICK === "1";
const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const productCount = positive("BENCH_PRODUCTS", quick ? 300 : 10_000);
const durationSeconds = positive("BENCH_DURATION", quick ? 1 : 10);
const warmUpSeconds = quick ? 0 : 3;
const connectionCounts = quick ? [1] : [1, 16, 64];
const resultsDirectory = process.env.BENCH_RESULTS_DIR ?? "bench/results";
// Writes last, so every read is measured on the catalog as generated.
const runOrder = [0, 1, 2, 3, 5, 6, 4];
// Runs of one scenario on one target start this many requests apart, so they never repeat
// each other's requests (which a response cache would answer).
const REQUESTS_APART = 100_000;

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const startedAt = new Date();
const machine = describeMachine();

progress(`generating ${productCount} products…`);
const catalog = await createCatalog(productCount);
const handWrittenCopy = `${catalog.directory}/hand-written.db`;
copyFileSync(catalog.databaseFile, handWrittenCopy);

const targets = new Map<TargetName, Target>();
let exitCode = 0;
try {
  progress("starting ours (with and without its permission rules), the hand-written baseline and Apollo…");
  const started = await Promise.allSettled([
    startOurs(catalog.databaseFile),
    startOursWithoutPermissions(catalog.databaseFile),
    startHandWritten(handWrittenCopy),
    startApollo(catalog.databaseFile),
  ]);
  for (const outcome of started)
    if (outcome.status === "fulfilled") targets.set(outcome.value.name, outcome.value);
  const failure = started.find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
  const target = (name: TargetName) => targets.get(name) as Target;

  const data: BenchData = {
    categoryIds: catalog.leafCategoryIds.map((id) => globalId("Category", id)),
    productIds: catalog.activeProductIds.map((id) => globalId("Product", id)),
    // Not the last 60: a page after them would be short.
    cursors: catalog.activeProductIds
      .slice(0, Math.max(1, catalog.activeProductIds.length - 60))
      .map((id) => Buffer.from(`GPC:N:${id}`).toString("base64")),
    staffToken: await logIn(target("ours").url, catalog.staff),
  };

  progress("checking that every target answers the same JSON…");
  const apolloStatements = await checkAnswers(data);
  progress("counting SQL statements per request…");
  const statements = await countStatements(catalog.databaseFile, scenarios, data);

  // Ours and Apollo's counted; the hand-written baseline runs one statement a query by design.
  const statementsOf = (name: TargetName, id: number) =>
    name === "ours" || name === "ours without permissions"
      ? (statements.get(id) ?? null)
      : name === "apollo"
        ? (apolloStatements.get(id) ?? null)
        : id === 0
          ? 0
          : 1;
  const rssResettable = [...targets.values()].every((each) => each.resetPeakRss());
  const runs: Run[] = [];
  for (const id of runOrder) {
    const scenario = scenarios.find((candidate) => candidate.id === id) as Scenario;
    for (const [index, connections] of connectionCounts.entries()) {
      for (const name of scenario.targets) {
        const server = target(name);
        progress(`scenario ${id}, ${name}, ${connections} connection(s)…`);
        server.resetPeakRss();
        const result = await load({
          url: server.url,
          scenario: id,
          connections,
          warmUpSeconds,
          durationSeconds,
          firstRequest: index * REQUESTS_APART,
          data,
          serverPid: server.pid,
        });
        runs.push({
          ...result,
          scenario: id,
          target: name,
          connections,
          statementsPerRequest: statementsOf(name, id),
          peakRssMb: server.peakRssMb(),
        });
        const failures = result.errors + result.non2xx + result.mismatches;
        if (failures > 0) progress(`  !!! ${failures} FAILED REQUESTS (see the report)`);
      }
    }
  }

  machine.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  const settings: Settings = {
    products: catalog.products,
    categories: catalog.categories,
    durationSeconds,
    warmUpSeconds,
    connections: connectionCounts,
    quick,
    catalogWrites:
      "categories and the staff account through the services, products through Prisma createMany with the columns the service derives",
  };
  const startRssMb = Object.fromEntries([...targets].map(([name, each]) => [name, each.startRssMb]));
  const report = buildReport({ startedAt, machine, settings, scenarios, runs, rssResettable, startRssMb });
  const files = writeReport(resultsDirectory, startedAt, report.markdown, {
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    scenarios: scenarios.map(({ id, title, targets: names }) => ({ id, title, targets: names })),
    startRssMb,
    runs,
    targets: report.checks,
  });
  console.log(report.markdown);
  progress(`written ${files.markdownFile} and ${files.jsonFile}`);
  if (report.brokenRuns > 0) {
    progress(`!!! ${report.brokenRuns} run(s) had failed requests other than timeouts: see the report`);
    exitCode = 1;
  }
} catch (error) {
  progress(`FAILED: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await Promise.all([...targets.values()].map((each) => each.stop()));
  rmSync(catalog.directory, { recursive: true, force: true });
}
process.exit(exitCode);

function globalId(typename: string, id: number) {
  return Buffer.from(`${typename}:${id}`).toString("base64");
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, text, statements: response.headers.get("x-sql-statements") };
}

async function logIn(url: string, staff: { email: string; password: string }): Promise<string> {
  const { text } = await post(
    url,
    JSON.stringify({
      query: `mutation ($input: LogInInput!) { logIn(input: $input) { ... on AuthPayload { accessToken } ... on Error { message } } }`,
      variables: { input: staff },
    }),
    { "content-type": "application/json" },
  );
  const token = JSON.parse(text).data?.logIn?.accessToken;
  if (typeof token !== "string") throw new Error(`the staff account could not log in: ${text}`);
  return token;
}

/**
 * Before anything is measured: every scenario succeeds on ours, and each baseline answers
 * exactly the JSON ours answers (deep-equal, and in the same key order), for several requests.
 * Answers the SQL statements Apollo reported for each scenario's first sample (one request in
 * flight, so the count is the request's own).
 */
async function checkAnswers(data: BenchData): Promise<Map<number, number>> {
  const apolloStatements = new Map<number, number>();
  const samples = [0, 1, 2, 41, 12_345];
  for (const scenario of scenarios) {
    let nonEmpty = false;
    for (const i of samples) {
      // Scenario 4 writes: its check creates skus the load (with its own run tag) never sends.
      const body = scenario.body(data, 900_000_000 + i);
      const headers = requestHeaders(scenario, data);
      const ours = await post(targets.get("ours")?.url as string, body, headers);
      if (ours.status !== 200 || !scenario.ok(ours.text)) {
        throw new Error(
          `scenario ${scenario.id}: our server did not succeed (HTTP ${ours.status}): ${ours.text}`,
        );
      }
      if (!/"edges":\[\]/.test(ours.text)) nonEmpty = true;
      for (const name of scenario.targets.filter((each) => each !== "ours")) {
        const theirs = await post(targets.get(name)?.url as string, body, headers);
        const same =
          theirs.status === 200 &&
          isDeepStrictEqual(JSON.parse(theirs.text), JSON.parse(ours.text)) &&
          sameKeyOrder(JSON.parse(theirs.text), JSON.parse(ours.text));
        if (name === "apollo" && !apolloStatements.has(scenario.id) && theirs.statements != null) {
          apolloStatements.set(scenario.id, Number(theirs.statements));
        }
        if (!same) {
          throw new Error(
            `scenario ${scenario.id}: ${name} answers differently from ours for ${body}\n  ours:   ${ours.text}\n  ${name}: HTTP ${theirs.status} ${theirs.text}\nFix the baseline (not the server) before measuring.`,
          );
        }
      }
    }
    if (!nonEmpty)
      throw new Error(`scenario ${scenario.id}: every sample answered an empty page; nothing to compare`);
  }
  return apolloStatements;
}

/** Whether two equal JSON values also list their keys in the same order (field order matters in GraphQL). */
function sameKeyOrder(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.every((item, index) => sameKeyOrder(item, b[index]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return (
      isDeepStrictEqual(keys, Object.keys(b)) &&
      keys.every((key) =>
        sameKeyOrder((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
      )
    );
  }
  return true;
}

async function load(job: LoadJob): Promise<LoadResult> {
  const child = spawn(process.execPath, ["bench/load.ts"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin.end(JSON.stringify(job));
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const line = output.trim().split("\n").at(-1) ?? "";
  if (code !== 0) throw new Error(`the load generator failed (exit ${code}): ${output}`);
  return JSON.parse(line) as LoadResult;
}
