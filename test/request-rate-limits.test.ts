import { describe, expect, it } from "vitest";
import {
  expectAnswered,
  expectRateLimited,
  post,
  postFrom,
  QUERY,
  STORES,
  spendAllowance,
  startServerWithStore,
} from "./helpers/rate-limits.ts";
import { startTestServer } from "./helpers/server.ts";

// RATE_LIMIT_REQUESTS: requests per client address, and per user from any address.

describe.each(STORES)("requests per client address, counters in %s (RATE_LIMIT_REQUESTS=5)", (store) => {
  const server = startServerWithStore(store, { RATE_LIMIT_REQUESTS: "5", RATE_LIMIT_WINDOW_SECONDS: "60" });

  it("answers 5 requests and refuses the 6th with 429, Retry-After and RATE_LIMITED", async () => {
    for (let i = 0; i < 5; i++) expectAnswered(await post(server, QUERY));
    expectRateLimited(await post(server, QUERY), 60);
    // Still refused: a refused request does not reset anything.
    expectRateLimited(await post(server, QUERY), 60);
  });

  it("does not limit /healthz", async () => {
    await spendAllowance(server, 5);
    for (let i = 0; i < 10; i++) {
      const response = await server.fetch("/healthz");
      expect(response.status).toBe(200);
    }
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: a made-up address does not get a new allowance", async () => {
    await spendAllowance(server, 5);
    expectRateLimited(await post(server, QUERY, undefined, { "x-forwarded-for": "203.0.113.9" }), 60);
  });

  it("limits each client address on its own", async () => {
    await spendAllowance(server, 5);
    expectAnswered(await postFrom(server, "127.0.0.2", QUERY));
  });

  // Bug: Yoga also serves GraphQL at /graphql/ and at any URL that ends in /graphql, while the
  // limit only counts requests whose path is exactly /graphql, so a client past its limit goes on.
  it("also refuses a client past its limit at the other URLs that serve GraphQL", async () => {
    await spendAllowance(server, 5);
    const statuses: Record<string, number> = {};
    for (const path of ["/graphql/", "/v1/graphql", "//graphql", "/?to=/graphql"]) {
      statuses[path] = (await post(server, QUERY, undefined, {}, path)).status;
    }
    expect(statuses).toEqual({
      "/graphql/": 429,
      "/v1/graphql": 429,
      "//graphql": 429,
      "/?to=/graphql": 429,
    });
  });
});

describe("requests per client address behind a proxy (TRUST_PROXY=true, RATE_LIMIT_REQUESTS=2)", () => {
  const server = startTestServer({ TRUST_PROXY: "true", RATE_LIMIT_REQUESTS: "2" });
  const from = (address: string) => ({ "x-forwarded-for": `${address}, 10.0.0.1` });

  it("counts each address of X-Forwarded-For (the first one) on its own", async () => {
    expectAnswered(await post(server, QUERY, undefined, from("198.51.100.1")));
    expectAnswered(await post(server, QUERY, undefined, from("198.51.100.1")));
    expectRateLimited(await post(server, QUERY, undefined, from("198.51.100.1")), 60);
    expectAnswered(await post(server, QUERY, undefined, from("198.51.100.2")));
  });
});

describe.each(STORES)(
  "requests per user, from any address, counters in %s (TRUST_PROXY=true, RATE_LIMIT_REQUESTS=3)",
  (store) => {
    const server = startServerWithStore(store, { TRUST_PROXY: "true", RATE_LIMIT_REQUESTS: "3" });
    const user = server.as("CUSTOMER");
    const other = server.as("CUSTOMER");
    const as = async (client: typeof user, address: string) => ({
      authorization: `Bearer ${(await client.session()).accessToken}`,
      "x-forwarded-for": address,
    });

    it("refuses a user's 4th request with 429 even from a 4th address; others keep their allowance", async () => {
      for (let i = 1; i <= 3; i++)
        expectAnswered(await post(server, QUERY, undefined, await as(user, `203.0.113.${i}`)));
      expectRateLimited(await post(server, QUERY, undefined, await as(user, "203.0.113.4")), 60);
      // The address itself has requests left: anonymous, or as another user, it is still served.
      expectAnswered(await post(server, QUERY, undefined, { "x-forwarded-for": "203.0.113.4" }));
      expectAnswered(await post(server, QUERY, undefined, await as(other, "203.0.113.4")));
    });
  },
);
