import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  CHILD_TEST_TIMEOUT,
  type Child,
  freshDatabase,
  graphql,
  LOG_IN,
  logIn,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";
import { probeRedis, REDIS_URL, redisInspector, uniquePrefix } from "./helpers/server.ts";
import { subscribe } from "./helpers/subscriptions.ts";
import { allProducts, expectDurable, loadUntilStopped } from "./helpers/write-load.ts";

// One deployment on two machines, as far as one machine can show it: two server processes
// (node src/server.ts, production), each on its own port, against one PostgreSQL database and one
// Redis. What one process does, the other sees; a limit counts both; killing one loses nothing it
// acknowledged, and the other goes on serving.

const redisReachable = await probeRedis("the two-process test");
const prefix = uniquePrefix();
const email = `admin-${randomUUID()}@example.test`;
const AUTH_ATTEMPTS = 4;

describe.skipIf(!redisReachable)("two server processes, one PostgreSQL database, one Redis", () => {
  redisInspector(prefix);
  let first: Child;
  let second: Child;
  let token: string;

  beforeAll(async () => {
    const databaseUrl = await freshDatabase(email);
    const shared = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_AUTH_ATTEMPTS: String(AUTH_ATTEMPTS),
      // Each log-in attempt below comes from an address of its own (X-Forwarded-For), so only the
      // per-email count can refuse it.
      TRUST_PROXY: "true",
    };
    [first, second] = await Promise.all([startChild(databaseUrl, shared), startChild(databaseUrl, shared)]);
    token = (await logIn(first, email)).accessToken;
  }, CHILD_TEST_TIMEOUT);
  afterAll(async () => {
    await Promise.all([first, second].filter(Boolean).map(stopChild));
  });

  it("both run on the one PostgreSQL database and say they are ready, naming it and Redis", async () => {
    expect(first.databaseUrl).toMatch(/^postgresql:\/\//);
    expect(second.databaseUrl).toBe(first.databaseUrl);
    for (const child of [first, second]) {
      const response = await fetch(`${child.url}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ready", database: "ok", redis: "ok" });
    }
  });

  it(
    "a subscriber on one process receives a product created through the other",
    async () => {
      const watching = subscribe(
        second,
        "SSE",
        "subscription { productChanged { kind productId product { sku } } }",
        { token },
      );
      try {
        // The subscription starts in the background: create products through the first process
        // until one reaches the second's subscriber (only the first process writes here).
        const created = new Map<string, string>();
        for (let attempt = 0; attempt < 20 && watching.received.length === 0; attempt += 1) {
          const sku = `CROSS-${attempt}-${randomUUID().slice(0, 8)}`;
          const reply = await graphql(
            first,
            `mutation ($input: CreateProductInput!) { createProduct(input: $input) {
              ... on CreateProductPayload { product { id } } } }`,
            { input: { sku, name: "Made on the first", price: "1.00", currency: "EUR" } },
            { authorization: `Bearer ${token}` },
          );
          created.set(reply.body.data.createProduct.product.id, sku.toUpperCase());
          await watching.results(1);
        }
        const [event] = watching.received;
        expect(event?.errors).toBeUndefined();
        const change = event?.data?.productChanged;
        expect(change?.kind).toBe("CREATED");
        expect(change?.product.sku).toBe(created.get(change?.productId));
      } finally {
        await watching.stop();
      }
    },
    CHILD_TEST_TIMEOUT,
  );

  it("counts failed log-ins of one email across both processes", async () => {
    let addresses = 0;
    const attempt = (child: Child, password: string) =>
      graphql(child, LOG_IN, { input: { email, password } }, { "x-forwarded-for": `192.0.2.${++addresses}` });
    // Half the allowance spent on each process: neither alone has reached the limit.
    for (let i = 0; i < AUTH_ATTEMPTS; i++) {
      const reply = await attempt(i % 2 === 0 ? first : second, "a wrong password");
      expect(reply.body.data?.logIn).toMatchObject({ __typename: "AuthenticationError" });
    }
    for (const child of [first, second]) {
      const refused = await attempt(child, ADMIN_PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    }
  });

  it(
    "loses no acknowledged write when one is killed (SIGKILL) under load, and the other keeps serving",
    async () => {
      const load = await loadUntilStopped(first, token, "KILLED", () => first.process.kill("SIGKILL"));
      expect(await first.exit).toEqual({ code: null, signal: "SIGKILL" });
      expect(load.unexpected).toEqual([]);
      expect(load.acknowledged.size).toBeGreaterThanOrEqual(40);

      // The survivor holds every write the killed process acknowledged, each exactly as sent.
      const stored = await allProducts(second, token);
      const written = stored.nodes.filter((node) => node.sku.startsWith("KILLED-"));
      expectDurable({ totalCount: written.length, nodes: written }, load);
      // And it still writes and answers.
      const reply = await graphql(
        second,
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename } }`,
        { input: { sku: "AFTER-THE-KILL", name: "Still serving", price: "2.00", currency: "EUR" } },
        { authorization: `Bearer ${token}` },
      );
      expect(reply.body.data?.createProduct.__typename).toBe("CreateProductPayload");
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    },
    CHILD_TEST_TIMEOUT,
  );
});
