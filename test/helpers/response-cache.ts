import { beforeAll, expect } from "vitest";
import type { Role } from "../../src/generated/prisma/enums.ts";
import { type GraphQLResponse, startTestServer, type TestClient, type TestServer } from "./server.ts";

// Two servers on one database: `cached` with the response cache on, `uncached` with it off. What
// the uncached one answers is what a fresh read answers; the cached one must answer the same,
// whatever was cached before. They share SECRET_KEY, so a token from one is good on the other.

const SECRET_KEY = "response-cache-tests-secret-key-of-48-characters";

/** A caller: anonymous, or a logged-in client of a role. */
export type Viewer = { name: "anonymous" | Role; client: TestClient | null };

export function cachedAndUncachedServers(environment: Record<string, string> = {}) {
  // Long enough that nothing expires while the tests run: only invalidation may drop an answer.
  const cached = startTestServer({ SECRET_KEY, RESPONSE_CACHE_TTL_SECONDS: "600", ...environment });
  const uncachedEnvironment: Record<string, string> = { SECRET_KEY, RESPONSE_CACHE_TTL_SECONDS: "0" };
  // Registered between the two servers' start hooks: the database is known once the first started.
  beforeAll(() => {
    uncachedEnvironment.DATABASE_URL = cached.app.config.databaseUrl;
  });
  const uncached = startTestServer(uncachedEnvironment);

  let statements = 0;
  beforeAll(() => {
    cached.app.prisma.$on("query", () => {
      statements += 1;
    });
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
    viewer,
    ask,
    /** SQL statements the cached server ran while `action` ran. */
    async statementsDuring(action: () => Promise<unknown>): Promise<number> {
      const before = statements;
      await action();
      return statements - before;
    },
  };
}

/**
 * What a request answered from the cache costs: no statement at all for an anonymous caller, and
 * for a logged-in one only the read of the caller's role (the key), never the operation itself.
 */
export function expectAnsweredFromCache(who: Viewer, statements: number, answer: GraphQLResponse) {
  expect(answer.errors).toBeUndefined();
  expect(statements, `${who.name}: ${JSON.stringify(answer)}`).toBe(who.client ? 1 : 0);
}
