import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./helpers.ts";
import { databasePath } from "./paths.ts";

// A production server over a database that was never migrated: every query fails inside Prisma,
// which is the kind of unexpected error that must never reach a client in detail.
const server = startTestServer({
  NODE_ENV: "production",
  SECRET_KEY: "a-test-secret-key-that-is-long-enough-1234",
  DATABASE_URL: `file:${databasePath(`unmigrated-${randomUUID()}.db`)}`,
});

describe("in production", () => {
  it("masks unexpected errors: no SQL, no stack, no file paths", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }),
    });
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.errors[0].message).toBe("Unexpected error.");
    // The request id in the answer is the one in the X-Request-Id header and in the server log.
    expect(body.errors[0].extensions).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      requestId: response.headers.get("x-request-id"),
    });
    for (const leak of ["Product", "SQLITE", "prisma", "/work", "node_modules", "stack", ".ts"]) {
      expect(text).not.toContain(leak);
    }
  });

  it("still reports expected errors with their code and message", async () => {
    const body = await server.graphql('{ product(id: "not-an-id") { name } }');
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toContain("is not a valid Product id");
  });

  it("does not serve GraphiQL", async () => {
    const response = await server.fetch("/graphql", { headers: { accept: "text/html" } });
    expect(await response.text()).not.toContain("Product catalog");
  });
});
