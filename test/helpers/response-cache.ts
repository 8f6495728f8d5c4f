import { beforeAll, expect } from "vitest";
import type { Role } from "../../src/generated/prisma/enums.ts";
import { type GraphQLResponse, startTestServer, type TestClient, type TestServer } from "./server.ts";

// Two servers on one database: `cached` with the response cache on, `uncached` with it off. What
// the uncached one answers is what a fresh read answers; the cached one must answer the same,
// whatever was cached before. They share SECRET_KEY, so a token from one is good on the other.

const SECRET_KEY = "response-cache-tests-secret-key-of-48-characters";

/** A caller: anonymous, or a logged-in client of a role. */
export type Viewer = { name: "anonymous" | Role; client: TestClient | null };

/**
 * `cached` (the cache on), `uncached` (off) on its database, and as many more servers with the
 * cache on as `alsoCached` asks for, on the same database (with Redis: sharing it, when the
 * environment names it).
 */
export function cachedAndUncachedServers(environment: Record<string, string> = {}, alsoCached = 0) {
  // Long enough that nothing expires while the tests run: only invalidation may drop an answer.
  const cachedEnvironment = { SECRET_KEY, RESPONSE_CACHE_TTL_SECONDS: "600", ...environment };
  const cached = startTestServer(cachedEnvironment);
  const onTheSameDatabase = (settings: Record<string, string>) => {
    const sameDatabase: Record<string, string> = { ...settings };
    // Registered before the server's own start hook, after the first server's.
    beforeAll(() => {
      sameDatabase.DATABASE_URL = cached.app.config.databaseUrl;
    });
    return startTestServer(sameDatabase);
  };
  const uncached = onTheSameDatabase({ SECRET_KEY, RESPONSE_CACHE_TTL_SECONDS: "0" });
  const others = Array.from({ length: alsoCached }, () => onTheSameDatabase(cachedEnvironment));

  const statements = new Map<TestServer, number>();
  beforeAll(() => {
    for (const server of [cached, uncached, ...others]) {
      statements.set(server, 0);
      server.app.prisma.$on("query", () => {
        statements.set(server, (statements.get(server) ?? 0) + 1);
      });
    }
  });

  const viewer = (name: Viewer["name"]): Viewer => ({
    name,
    client: name === "anonymous" ? null : cached.as(name),
  });

  async function ask(server: TestServer, who: Viewer, query: string, variables?: Record<string, unknown>) {
    const headers: Record<string, string> = who.client
      ? { authorization: `Bearer ${(await who.client.session()).accessToken}` }
      : {};
    return server.graphql(query, variables, headers);
  }

  return {
    cached,
    uncached,
    others,
    viewer,
    ask,
    /** SQL statements the server (by default `cached`) ran while `action` ran. */
    async statementsDuring(action: () => Promise<unknown>, server: TestServer = cached): Promise<number> {
      const before = statements.get(server) ?? 0;
      await action();
      return (statements.get(server) ?? 0) - before;
    },
  };
}

/**
 * What a request answered from the cache costs: no statement at all for an anonymous caller, and
 * for a logged-in one only the read of the caller's role (authentication), never the operation.
 */
export function expectAnsweredFromCache(who: Viewer, statements: number, answer: GraphQLResponse) {
  expect(answer.errors).toBeUndefined();
  expect(statements, `${who.name}: ${JSON.stringify(answer)}`).toBe(who.client ? 1 : 0);
}
