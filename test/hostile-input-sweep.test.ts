import { beforeAll, describe, expect, it } from "vitest";
import type { Hostile } from "./helpers/hostile-requests.ts";
import { createSweepProducts, generate, requests, sweep } from "./helpers/hostile-sweep.ts";
import { startTestServer } from "./helpers/server.ts";

// The hostile-input sweep (test/helpers/hostile-sweep.ts) against a server in NODE_ENV=test: an
// unexpected error shows its cause there, so every one is caught by the leak check.

const server = startTestServer();

beforeAll(() => createSweepProducts(server));

describe("a sweep of malformed and hostile requests", () => {
  it("is the same every run, and large", () => {
    expect(requests.length).toBeGreaterThanOrEqual(1_000);
    const fingerprint = (list: Hostile[]) =>
      list.map((request) => `${request.method} ${request.path} ${request.body?.toString("base64")}`);
    expect(fingerprint(generate())).toEqual(fingerprint(requests));
    expect(requests.filter((request) => request.oversized).length).toBeGreaterThanOrEqual(30);
  });

  it("gets an answer to every request, never a 500 or an internal detail, and ordinary queries keep working", async () => {
    const { accessToken } = await server.as("ADMIN").session();
    const result = await sweep(server, accessToken);
    expect(result.problems).toEqual([]);
    expect(result.sent).toBe(requests.length);
    expect(result.sent).toBeGreaterThanOrEqual(1_000);
    // Every kind of request was answered at least once (not all of them cut or refused).
    const answered = new Set(
      [...result.statuses.keys()].filter((key) => /→ \d{3}$/.test(key)).map((key) => key.split(" → ")[0]),
    );
    const kinds = new Set(requests.map((request) => request.kind));
    expect([...kinds].filter((kind) => !answered.has(kind))).toEqual([]);
  }, 120_000);
});
