import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { Role } from "../../src/generated/prisma/enums.ts";
import { createAccount } from "../../src/services/accounts.ts";
import { freshDatabaseUrl } from "../databases.ts";

export type GraphQLResponse<Data = Record<string, any>> = {
  data?: Data | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
};

type GraphQL = <Data = Record<string, any>>(
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<GraphQLResponse<Data>>;

/** A logged-in client: its requests carry `Authorization: Bearer <accessToken>`. */
export type TestClient = {
  graphql: GraphQL;
  /** Logs in on first use; the tokens and the user's global id. */
  session(): Promise<{ accessToken: string; refreshToken: string; userId: string; email: string }>;
};

export type TestServer = {
  app: App;
  url: string;
  /** /metrics on the metrics' own listener (METRICS_PORT); null without one. */
  metricsUrl: string | null;
  /** POSTs a GraphQL operation anonymously and returns the parsed body (whatever the HTTP status). */
  graphql: GraphQL;
  /** Stops the server the way SIGTERM does; it is stopped after the file's tests anyway. */
  close(): Promise<void>;
  /** Raw HTTP, for malformed requests and non-GraphQL endpoints. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * A client logged in as a new user with this role. The user is created the way
   * `npm run user:create` does, then logs in over HTTP like any client.
   */
  as(role: Role): TestClient;
};

/** The Redis the project's machines and CI run. */
export const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Whether Redis answers at REDIS_URL. Elsewhere (a laptop without one) the Redis-backed tests are
 * skipped and say why; in CI (CI=true) a missing Redis fails the run instead, naming `purpose`.
 */
export async function probeRedis(purpose: string): Promise<boolean> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: 6379, timeout: 2_000 });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
  if (!reachable && process.env.CI) throw new Error(`CI needs Redis at ${REDIS_URL} for ${purpose}`);
  return reachable;
}

/** A key prefix of its own, so no two runs (or suites) ever share a counter. */
export const uniquePrefix = () => `test-${randomUUID()}`;

/**
 * A Redis connection of the test's own, to look at the counters the servers keep there; deletes
 * every key under the given prefixes once the suite is done.
 */
export function redisInspector(...prefixes: string[]) {
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

/**
 * Until Redis counts a subscriber on a change-event channel of the prefix: an app subscribes in
 * the background, so an event published before then would reach nobody.
 */
export async function untilEventChannelSubscribed(redis: Redis, prefix: string, topic: string) {
  const channel = `${prefix}:events:${topic}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [, count] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
    if (Number(count) > 0) return;
    await sleep(20);
  }
  throw new Error(`nobody subscribed to ${channel}`);
}

export const TEST_PASSWORD = "correct horse battery staple";

/**
 * Starts a real server on an ephemeral port with its own migrated database, for the test file
 * that calls it; stopped after the file's tests. Environment overrides go through loadConfig,
 * exactly as in production.
 */
export function startTestServer(environment: Record<string, string> = {}): TestServer {
  const server = {} as TestServer;
  let closing: Promise<void> | undefined;
  beforeAll(async () => {
    const config: Config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: await freshDatabaseUrl(),
      // Rate limits have their own tests; elsewhere they would only make results depend on speed.
      RATE_LIMIT_REQUESTS: "1000000",
      RATE_LIMIT_MUTATIONS: "1000000",
      RATE_LIMIT_AUTH_ATTEMPTS: "1000000",
      ...environment,
    });
    server.app = await createApp(config);
    const listening = await server.app.listen(0, "127.0.0.1");
    server.close = () => {
      closing ??= listening.close();
      return closing;
    };
    server.url = listening.url;
    server.metricsUrl = listening.metricsUrl;
  });
  afterAll(async () => {
    await server.close?.();
  });

  server.fetch = (path, init) => fetch(`${server.url}${path}`, init);
  server.graphql = async (query, variables, headers) => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  server.as = (role) => {
    let session: ReturnType<TestClient["session"]> | undefined;
    const client: TestClient = {
      session: () => {
        session ??= logIn(server, role);
        return session;
      },
      graphql: async (query, variables, headers) => {
        const { accessToken } = await client.session();
        return server.graphql(query, variables, { authorization: `Bearer ${accessToken}`, ...headers });
      },
    };
    return client;
  };
  return server;
}

async function logIn(server: TestServer, role: Role) {
  const email = `${role.toLowerCase()}-${randomUUID()}@example.test`;
  await createAccount(
    { prisma: server.app.prisma },
    { email, name: `Test ${role}`, password: TEST_PASSWORD },
    role,
  );
  const body = await server.graphql(
    `mutation ($input: LogInInput!) { logIn(input: $input) {
      ... on AuthPayload { accessToken refreshToken user { id } } ... on Error { message } } }`,
    { input: { email, password: TEST_PASSWORD } },
  );
  const payload = body.data?.logIn;
  if (!payload?.accessToken) throw new Error(`Test log-in failed: ${JSON.stringify(body)}`);
  return {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    userId: payload.user.id,
    email,
  };
}
