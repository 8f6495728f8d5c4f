import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { expect } from "vitest";
import { createProduct } from "./fixtures.ts";
import { addHostileDocuments } from "./hostile-documents.ts";
import { addHostileInputs } from "./hostile-inputs.ts";
import { addMalformedBodies, type Hostile, type Outcome, PRODUCTS, prng } from "./hostile-requests.ts";
import type { TestServer } from "./server.ts";

// A deterministic sweep of malformed and hostile requests against a real server. Whatever comes
// in, the server must answer (a reset is allowed only for a deliberately oversized body), never
// with a 500, never with an internal detail, and must keep serving ordinary queries throughout.

type Server = TestServer;

const CONCURRENCY = 16;
const BATCH = 100;

/** Every request of the sweep, in the same order every run. */
export function generate(): Hostile[] {
  const random = prng(0x5eed_2024);
  const requests: Hostile[] = [];
  const add = (request: Hostile) => requests.push(request);
  addMalformedBodies(random, add);
  addHostileDocuments(random, add);
  addHostileInputs(random, add);
  return requests;
}

export const requests = generate();

/**
 * Products to look at: some faults (a LIKE pattern SQLite refuses, say) only show on a table with
 * rows, since SQLite never evaluates a condition on an empty one.
 */
export async function createSweepProducts(target: Server) {
  const admin = target.as("ADMIN");
  for (let i = 0; i < 5; i++) {
    await createProduct(admin, {
      sku: `SWEEP-${i}`,
      name: `Sweep ${i}`,
      description: "50% off_now",
      price: "9.99",
      currency: "EUR",
      status: "ACTIVE",
      stock: 3,
    });
  }
}

function send(target: Server, request: Hostile, token: string): Promise<Outcome> {
  if (request.raw) return sendRaw(target, request.body ?? Buffer.alloc(0));
  const url = new URL(target.url);
  return new Promise((resolve) => {
    const headers: Record<string, string | string[] | number> = { ...request.headers };
    if (request.asAdmin) headers.authorization = `Bearer ${token}`;
    if (request.body && !request.chunked) headers["content-length"] = request.body.length;
    const outgoing = httpRequest({
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.path,
      headers,
      agent: false,
      timeout: 20_000,
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error("client timeout: no answer")));
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    if (request.body && request.chunked) {
      // Several chunks, so the server sees a stream growing past the limit.
      for (let offset = 0; offset < request.body.length; offset += 16_384) {
        outgoing.write(request.body.subarray(offset, offset + 16_384));
      }
      outgoing.end();
    } else {
      outgoing.end(request.body);
    }
  });
}

function sendRaw(target: Server, bytes: Buffer): Promise<Outcome> {
  const url = new URL(target.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error("client timeout: no answer")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (chunks.length === 0) resolve({ error: error.code ?? error.message });
    });
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(
        status
          ? { status: Number(status[1]), body: text }
          : { error: `no HTTP answer: ${JSON.stringify(text)}` },
      );
    });
    // Half-close after writing: the server answers what it got and closes.
    socket.end(bytes);
  });
}

async function inBatches<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// Internal details that must never reach a client.
const LEAKS = ["stack", "node_modules", "/work", "prisma", "sqlite", "at async"];

/** What is wrong with one answer, or null. A leak the request itself contains is only an echo. */
function problem(request: Hostile, outcome: Outcome): string | null {
  if ("error" in outcome) {
    return request.oversized && ["ECONNRESET", "EPIPE"].includes(outcome.error)
      ? null
      : `no answer (${outcome.error})`;
  }
  if (outcome.status === 500) return "HTTP 500";
  const sent = `${request.body?.toString("latin1") ?? ""} ${request.path}`.toLowerCase();
  const body = outcome.body.toLowerCase();
  for (const leak of LEAKS) {
    if (body.includes(leak) && !sent.includes(leak)) return `body contains "${leak}"`;
  }
  // Hostile input is the client's fault: it must never end in an unexpected (internal) error.
  if (outcome.body.includes("INTERNAL_SERVER_ERROR")) return "internal error";
  return null;
}

type Sweep = {
  sent: number;
  problems: string[];
  statuses: Map<string, number>;
};

export async function sweep(target: Server, token: string): Promise<Sweep> {
  const result: Sweep = { sent: 0, problems: [], statuses: new Map() };
  for (let start = 0; start < requests.length; start += BATCH) {
    const batch = requests.slice(start, start + BATCH);
    const outcomes = await inBatches(batch, CONCURRENCY, (request) => send(target, request, token));
    result.sent += batch.length;
    batch.forEach((request, offset) => {
      const index = start + offset;
      const outcome = outcomes[offset] as Outcome;
      const key = `${request.kind} → ${"error" in outcome ? outcome.error : outcome.status}`;
      result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
      const found = problem(request, outcome);
      if (!found) return;
      const body = "error" in outcome ? "" : outcome.body;
      result.problems.push(
        `#${index} ${request.kind} ${request.method} ${request.path.slice(0, 80)}: ${found} ${body.slice(0, 300)}`,
      );
    });
    await expectStillServing(target, result.sent);
  }
  await expectStillServing(target, result.sent);
  return result;
}

async function expectStillServing(target: Server, afterRequests: number) {
  const body = await target.graphql<{ products: { totalCount: number } }>(PRODUCTS);
  expect(
    body.errors,
    `after ${afterRequests} hostile requests: ${JSON.stringify(body.errors)}`,
  ).toBeUndefined();
  expect(typeof body.data?.products.totalCount).toBe("number");
}
