import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GraphQLResponse,
  probeRedis,
  REDIS_URL,
  startTestServer,
  type TestServer,
} from "./helpers/server.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

/** Nothing listens there. */
const DEAD_REDIS_URL = "redis://127.0.0.1:6390";

/** A key prefix of its own, so no two runs (or suites) ever share a counter. */
const uniquePrefix = () => `test-${randomUUID()}`;

/**
 * A Redis connection of the test's own, to look at the counters the servers keep there; deletes
 * every key under the given prefixes once the suite is done.
 */
function redisInspector(...prefixes: string[]) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  });
  return redis;
}

const redisReachable = await probeRedis("the shared rate-limit tests");
const withRedis = redisReachable ? describe : describe.skip;
if (!redisReachable) {
  describe.skip(`counters in Redis: skipped, nothing answers at ${REDIS_URL} (start Redis to run them)`, () => {
    it("runs each in-memory rate-limit test again with the Redis store", () => {});
  });
}

const STORES = redisReachable ? (["memory", "Redis"] as const) : (["memory"] as const);

/**
 * A server whose rate-limit counters are in process memory, or in Redis under a prefix of its own.
 * With Redis, the suite's tests wait until the server really counts there (see untilCountingInRedis).
 */
function startServerWithStore(store: (typeof STORES)[number], environment: Record<string, string>) {
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
async function untilCountingInRedis(server: TestServer, redis: Redis, prefix: string) {
  probeNetwork += 1;
  for (let probe = 1; probe <= 100; probe++) {
    const address = `127.0.${probeNetwork}.${probe}`;
    await postFrom(server, address, "{ __typename }");
    if (await redis.get(`${prefix}:rate:requests:${address}`)) return;
    await sleep(50);
  }
  throw new Error(`${server.url} never counted a request in Redis`);
}

type HttpResult = { status: number; retryAfter: string | null; body: GraphQLResponse };

/** POSTs an operation and returns the HTTP status and Retry-After with the parsed body. */
async function post(
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
function postFrom(server: TestServer, localAddress: string, query: string): Promise<HttpResult> {
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

const QUERY = "{ products(first: 1) { totalCount } }";

/** Sends requests until the client of 127.0.0.1 is refused (at most `limit` + 1 of them). */
async function spendAllowance(server: TestServer, limit: number) {
  for (let i = 0; i <= limit; i++) {
    if ((await post(server, QUERY)).status === 429) return;
  }
  throw new Error(`${limit + 1} requests and still no 429`);
}

function expectAnswered(result: HttpResult) {
  expect(result.status).toBe(200);
  expect(result.body.errors).toBeUndefined();
  expect(result.body.data).toEqual({ products: { totalCount: expect.any(Number) } });
}

/** HTTP 429 with Retry-After, and a RATE_LIMITED error saying the same number of seconds. */
function expectRateLimited(result: HttpResult, windowSeconds: number) {
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

// ---------------------------------------------------------------------------------------------
// Requests per client address

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

// ---------------------------------------------------------------------------------------------
// Mutations per user

const CREATE_CATEGORY = `mutation ($input: CreateCategoryInput!) {
  createCategory(input: $input) { __typename ... on CreateCategoryPayload { category { slug } } }
}`;
const CATEGORY_BY_SLUG = "query ($slug: String!) { categoryBySlug(slug: $slug) { slug } }";

describe.each(STORES)("mutations per user, counters in %s (RATE_LIMIT_MUTATIONS=3)", (store) => {
  const server = startServerWithStore(store, { RATE_LIMIT_MUTATIONS: "3" });
  const first = server.as("STAFF");
  const second = server.as("STAFF");

  async function createCategory(client: typeof first, slug: string) {
    const { accessToken } = await client.session();
    return post(
      server,
      CREATE_CATEGORY,
      { input: { name: slug, slug } },
      { authorization: `Bearer ${accessToken}` },
    );
  }

  it("refuses a user's 4th mutation with 429 without running it; queries do not count", async () => {
    const { accessToken } = await first.session();
    for (let i = 0; i < 3; i++) {
      // Queries in between, more of them than the mutation allowance.
      for (let j = 0; j < 4; j++) {
        expectAnswered(await post(server, QUERY, undefined, { authorization: `Bearer ${accessToken}` }));
      }
      const slug = `allowed-${randomUUID()}`;
      const created = await createCategory(first, slug);
      expect(created.status).toBe(200);
      expect(created.body.data?.createCategory).toEqual({
        __typename: "CreateCategoryPayload",
        category: { slug },
      });
    }
    const slug = `refused-${randomUUID()}`;
    expectRateLimited(await createCategory(first, slug), 60);
    const lookUp = await server.graphql(CATEGORY_BY_SLUG, { slug });
    expect(lookUp).toEqual({ data: { categoryBySlug: null } });

    // Queries are still answered for the user.
    expectAnswered(await post(server, QUERY, undefined, { authorization: `Bearer ${accessToken}` }));
  });

  it("still lets a second user from the same address mutate", async () => {
    // The first user's allowance is spent (by the test above, or here when run alone).
    let spent = false;
    for (let i = 0; i < 4 && !spent; i++) {
      spent = (await createCategory(first, `spend-${randomUUID()}`)).status === 429;
    }
    expect(spent).toBe(true);
    const slug = `second-${randomUUID()}`;
    const created = await createCategory(second, slug);
    expect(created.status).toBe(200);
    expect(created.body.data?.createCategory).toEqual({
      __typename: "CreateCategoryPayload",
      category: { slug },
    });
  });
});

describe("anonymous mutations per address (RATE_LIMIT_MUTATIONS=2)", () => {
  const server = startTestServer({ RATE_LIMIT_MUTATIONS: "2" });
  const LOG_OUT = 'mutation { logOut(input: { refreshToken: "unknown" }) }';

  it("counts an anonymous client's mutations against its address", async () => {
    for (let i = 0; i < 2; i++) {
      const result = await post(server, LOG_OUT);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ data: { logOut: true } });
    }
    expectRateLimited(await post(server, LOG_OUT), 60);
    expectAnswered(await post(server, QUERY));
  });
});

// ---------------------------------------------------------------------------------------------
// Log-in and sign-up attempts

const LOG_IN = `mutation ($input: LogInInput!) {
  logIn(input: $input) { __typename ... on AuthPayload { accessToken user { email } } ... on Error { code } }
}`;
const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { __typename ... on AuthPayload { user { email } } ... on Error { code message } }
}`;
const PASSWORD = "a long and correct password";

describe.each(STORES)("log-in and sign-up attempts, counters in %s (RATE_LIMIT_AUTH_ATTEMPTS=3)", (store) => {
  // Behind a trusted proxy, each attempt can come from an address of its own, which tells the
  // per-email limit apart from the per-address one.
  const server = startServerWithStore(store, { TRUST_PROXY: "true", RATE_LIMIT_AUTH_ATTEMPTS: "3" });
  let addresses = 0;
  const newAddress = () => {
    addresses += 1;
    return `192.0.2.${addresses}`;
  };
  const from = (address: string) => ({ "x-forwarded-for": address });
  const logIn = (email: string, password: string, address = newAddress()) =>
    post(server, LOG_IN, { input: { email, password } }, from(address));
  const signUp = (email: string, address = newAddress()) =>
    post(server, SIGN_UP, { input: { email, name: "Someone", password: PASSWORD } }, from(address));
  const newEmail = () => `user-${randomUUID()}@example.test`;

  async function newAccount() {
    const email = newEmail();
    const result = await signUp(email);
    expect(result.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    return email;
  }

  const AUTH_WINDOW = 900;

  it("refuses an email after 3 wrong passwords, even from new addresses and with the right password", async () => {
    const email = await newAccount();
    for (let i = 0; i < 3; i++) {
      const result = await logIn(email, "a wrong password");
      expect(result.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });
    }
    expectRateLimited(await logIn(email, "a wrong password"), AUTH_WINDOW);
    expectRateLimited(await logIn(email, PASSWORD), AUTH_WINDOW);
    // The email is compared as stored: case and spaces do not make it another email.
    expectRateLimited(await logIn(`  ${email.toUpperCase()} `, PASSWORD), AUTH_WINDOW);

    // Another account is not affected.
    const other = await newAccount();
    const result = await logIn(other, PASSWORD);
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email: other } });
  });

  it("refuses an address after 3 attempts on different emails, even with right credentials", async () => {
    const address = newAddress();
    for (let i = 0; i < 3; i++) {
      const result = await logIn(newEmail(), "a wrong password", address);
      expect(result.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });
    }
    expectRateLimited(await logIn(newEmail(), "a wrong password", address), AUTH_WINDOW);
    const email = await newAccount();
    expectRateLimited(await logIn(email, PASSWORD, address), AUTH_WINDOW);
    // The same account from another address logs in: the limit was the address's.
    const result = await logIn(email, PASSWORD);
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email } });
  });

  it("counts sign-ups against the address too, without creating the refused account", async () => {
    const address = newAddress();
    for (let i = 0; i < 2; i++) {
      const email = newEmail();
      const result = await signUp(email, address);
      expect(result.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    }
    const failed = await logIn(newEmail(), "a wrong password", address);
    expect(failed.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });

    const refusedEmail = newEmail();
    expectRateLimited(await signUp(refusedEmail, address), AUTH_WINDOW);
    expectRateLimited(await logIn(newEmail(), "a wrong password", address), AUTH_WINDOW);

    // The refused sign-up wrote nothing: the email is still free.
    const later = await signUp(refusedEmail);
    expect(later.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email: refusedEmail } });
  });
});

describe.each(STORES)("log-in attempts once the window has passed, counters in %s", (store) => {
  const server = startServerWithStore(store, {
    TRUST_PROXY: "true",
    RATE_LIMIT_AUTH_ATTEMPTS: "2",
    RATE_LIMIT_AUTH_WINDOW_SECONDS: "3",
  });
  const logIn = (email: string, password: string, address: string) =>
    post(server, LOG_IN, { input: { email, password } }, { "x-forwarded-for": address });

  it("accepts the right password again after Retry-After seconds", async () => {
    const email = `user-${randomUUID()}@example.test`;
    const created = await post(
      server,
      SIGN_UP,
      { input: { email, name: "Someone", password: PASSWORD } },
      { "x-forwarded-for": "198.51.100.10" },
    );
    expect(created.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    await logIn(email, "a wrong password", "198.51.100.11");
    await logIn(email, "a wrong password", "198.51.100.12");
    const refused = await logIn(email, PASSWORD, "198.51.100.13");
    expectRateLimited(refused, 3);

    await sleep(Number(refused.retryAfter) * 1000 + 300);
    const result = await logIn(email, PASSWORD, "198.51.100.14");
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email } });
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: counters shared between processes

withRedis("Redis store shared by two servers (RATE_LIMIT_REQUESTS=6)", () => {
  const prefix = uniquePrefix();
  const otherPrefix = uniquePrefix();
  const redis = redisInspector(prefix, otherPrefix);
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REQUESTS: "6" };
  const first = startTestServer(shared);
  const second = startTestServer(shared);
  const separate = startTestServer({ ...shared, REDIS_KEY_PREFIX: otherPrefix });
  beforeAll(async () => {
    await untilCountingInRedis(first, redis, prefix);
    await untilCountingInRedis(second, redis, prefix);
    await untilCountingInRedis(separate, redis, otherPrefix);
  });

  it("refuses the 7th request overall, not per server", async () => {
    for (let i = 0; i < 6; i++) expectAnswered(await post(i % 2 === 0 ? first : second, QUERY));
    // The counter is in Redis, under the configured prefix.
    expect(await redis.get(`${prefix}:rate:requests:127.0.0.1`)).toBe("6");
    expectRateLimited(await post(first, QUERY), 60);
    expectRateLimited(await post(second, QUERY), 60);
  });

  it("keeps the counters of another key prefix apart", async () => {
    await spendAllowance(first, 6);
    expectAnswered(await post(separate, QUERY));
    expect(await redis.get(`${otherPrefix}:rate:requests:127.0.0.1`)).toBe("1");
  });
});

/**
 * A TCP relay to the real Redis that accepts connections at once but relays nothing until
 * release() (or, at the latest, `maxHoldMs` later), like a Redis across a slow network. Its URL
 * is known once the suite's first hook has run.
 */
function slowRedisRelay(maxHoldMs: number) {
  const sockets = new Set<Socket>();
  const held = new Set<() => void>();
  let released = false;
  const relay = createTcpServer((client) => {
    sockets.add(client);
    client.on("error", () => client.destroy());
    const start = () => {
      held.delete(start);
      clearTimeout(timer);
      if (client.destroyed) return;
      const upstream = connect(6379, "127.0.0.1");
      sockets.add(upstream);
      const closeBoth = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("close", closeBoth);
      upstream.on("error", closeBoth).on("close", closeBoth);
      client.pipe(upstream).pipe(client);
    };
    const timer = setTimeout(start, maxHoldMs);
    if (released) start();
    else held.add(start);
  });
  const handle = {
    url: "",
    release() {
      released = true;
      for (const start of [...held]) start();
    },
  };
  beforeAll(async () => {
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    handle.url = `redis://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => relay.close(resolve));
  });
  return handle;
}

withRedis("Redis slow to answer while the servers start (RATE_LIMIT_REQUESTS=2)", () => {
  const prefix = uniquePrefix();
  const redis = redisInspector(prefix);
  const relay = slowRedisRelay(5000);
  // startTestServer reads its environment in its own beforeAll, after the relay's has run.
  const shared: Record<string, string> = { REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REQUESTS: "2" };
  beforeAll(() => {
    shared.REDIS_URL = relay.url;
  });
  const first = startTestServer(shared);
  const second = startTestServer(shared);

  // Bug: a server listens before its Redis client is ready, and the client is built with
  // enableOfflineQueue: false, so whatever the server counts meanwhile goes to its own in-memory
  // counters and never reaches Redis: requests a new process answers first are not shared.
  it("shares the count of a request answered before Redis was ready", async () => {
    expectAnswered(await post(first, QUERY)); // 1st overall, before Redis answers
    relay.release();
    await untilCountingInRedis(first, redis, prefix);
    await untilCountingInRedis(second, redis, prefix);
    expectAnswered(await post(second, QUERY)); // 2nd
    expectRateLimited(await post(first, QUERY), 60); // 3rd overall: over the limit of 2
  });
});

describe("Redis unavailable (REDIS_URL points where nothing listens, RATE_LIMIT_REQUESTS=4)", () => {
  const server = startTestServer({
    REDIS_URL: DEAD_REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    RATE_LIMIT_REQUESTS: "4",
  });
  const customer = server.as("CUSTOMER");

  it("still answers, log-in included, and still enforces the limit with in-memory counters", async () => {
    // The log-in (request 1) goes through the log-in limits, which read their counters too.
    const me = await customer.graphql<{ me: { email: string } }>("{ me { email } }"); // request 2
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.email).toBe((await customer.session()).email);
    expectAnswered(await post(server, QUERY)); // 3
    expectAnswered(await post(server, QUERY)); // 4
    expectRateLimited(await post(server, QUERY), 60);
    expect((await server.fetch("/healthz")).status).toBe(200);
  });
});
