import { request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { beforeAll, expect } from "vitest";
import {
  type GraphQLResponse,
  probeRedis,
  REDIS_URL,
  redisInspector,
  startTestServer,
  type TestServer,
  uniquePrefix,
} from "./server.ts";

// Servers with rate limits, their counters in memory or in Redis, and the requests that spend
// and check an allowance, for the rate-limit tests.

/** Whether the Redis-backed variants run (see probeRedis). */
export const redisReachable = await probeRedis("the shared rate-limit tests");

/** Where each rate-limit suite keeps its counters: in memory, and in Redis when Redis answers. */
export const STORES = redisReachable ? (["memory", "Redis"] as const) : (["memory"] as const);

/**
 * A server whose rate-limit counters are in process memory, or in Redis under a prefix of its own.
 * With Redis, the suite's tests wait until the server really counts there (see untilCountingInRedis).
 */
export function startServerWithStore(store: (typeof STORES)[number], environment: Record<string, string>) {
  if (store === "memory") return startTestServer(environment);
  const prefix = uniquePrefix();
  const redis = redisInspector(prefix);
  const server = startTestServer({ REDIS_URL, REDIS_KEY_PREFIX: prefix, ...environment });
  beforeAll(() => untilCountingInRedis(server, redis, prefix));
  return server;
}

let probeNetwork = 0;

/**
 * The server's Redis client connects in the background and, until it is ready, the server counts
 * in memory (see the start-up test at the end). This waits, over HTTP, until a request is counted
 * in Redis. Each probe comes from a loopback address of its own (127.0.<n>.<i>), so probes never
 * use the allowance of 127.0.0.1, which the tests count on.
 */
export async function untilCountingInRedis(server: TestServer, redis: Redis, prefix: string) {
  probeNetwork += 1;
  for (let probe = 1; probe <= 100; probe++) {
    const address = `127.0.${probeNetwork}.${probe}`;
    await postFrom(server, address, "{ __typename }");
    if (await redis.get(`${prefix}:rate:requests:${address}`)) return;
    await sleep(50);
  }
  throw new Error(`${server.url} never counted a request in Redis`);
}

export type HttpResult = { status: number; retryAfter: string | null; body: GraphQLResponse };

/** POSTs an operation and returns the HTTP status and Retry-After with the parsed body. */
export async function post(
  server: TestServer,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  path = "/graphql",
): Promise<HttpResult> {
  const response = await server.fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: JSON.parse(text) };
}

/** POSTs an operation from another loopback address (Linux routes all of 127.0.0.0/8 to lo). */
export function postFrom(server: TestServer, localAddress: string, query: string): Promise<HttpResult> {
  const url = new URL("/graphql", server.url);
  const payload = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: (response.headers["retry-after"] as string | undefined) ?? null,
            body: JSON.parse(text),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

export const QUERY = "{ products(first: 1) { totalCount } }";

/** Sends requests until the client of 127.0.0.1 is refused (at most `limit` + 1 of them). */
export async function spendAllowance(server: TestServer, limit: number) {
  for (let i = 0; i <= limit; i++) {
    if ((await post(server, QUERY)).status === 429) return;
  }
  throw new Error(`${limit + 1} requests and still no 429`);
}

export function expectAnswered(result: HttpResult) {
  expect(result.status).toBe(200);
  expect(result.body.errors).toBeUndefined();
  expect(result.body.data).toEqual({ products: { totalCount: expect.any(Number) } });
}

/** HTTP 429 with Retry-After, and a RATE_LIMITED error saying the same number of seconds. */
export function expectRateLimited(result: HttpResult, windowSeconds: number) {
  expect(result.status).toBe(429);
  expect(result.body.data ?? null).toBeNull();
  const error = result.body.errors?.[0];
  expect(error?.extensions?.code).toBe("RATE_LIMITED");
  const retryAfterSeconds = error?.extensions?.retryAfterSeconds;
  expect(Number.isInteger(retryAfterSeconds)).toBe(true);
  expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(retryAfterSeconds).toBeLessThanOrEqual(windowSeconds);
  expect(result.retryAfter).toBe(String(retryAfterSeconds));
  expect(error?.message).toContain(`${retryAfterSeconds} s`);
}
