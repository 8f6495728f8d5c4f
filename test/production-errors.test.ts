import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/tokens.ts";
import { unmigratedDatabaseUrl } from "./databases.ts";
import { startTestServer } from "./helpers/server.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";

/**
 * In production a client learns what it did wrong, never how the server is built: at every stage
 * a request passes (parsing the HTTP body, building the context, validating, executing,
 * serialising the answer) an unexpected failure answers "Unexpected error." with the request id
 * of the server's log line, and an expected one its own message and code, without stack, source
 * paths, SQL or table names.
 */

const production = { NODE_ENV: "production", SECRET_KEY: "a-test-secret-key-that-is-long-enough-1234" };

// A database that was never migrated: every statement fails inside Prisma, the kind of outage
// whose details must never reach a client.
const unmigrated: Record<string, string> = { ...production };
beforeAll(async () => {
  unmigrated.DATABASE_URL = await unmigratedDatabaseUrl();
});
const broken = startTestServer(unmigrated);

// A migrated database holding a row written behind the API's back that the schema cannot show
// (a stock beyond GraphQL's Int): a SQLite file whatever the project, as PostgreSQL's integer
// column could not hold it.
const damagedFile = databasePath(`damaged-${randomUUID()}.db`);
beforeAll(() => {
  copyFileSync(templateDatabasePath(), damagedFile);
  const db = new Database(damagedFile);
  db.prepare(
    `INSERT INTO "Product" (sku, name, description, searchText, priceMicros, currency, stock, status, createdAt, updatedAt)
     VALUES ('HUGE-STOCK', 'Huge', '', 'huge', 1000000, 'EUR', 5000000000, 'ACTIVE', 0, 0)`,
  ).run();
  db.close();
});
const damaged = startTestServer({ ...production, DATABASE_URL: `file:${damagedFile}` });

// Yoga answers invalid JSON with the parser's message about the client's own body (as
// extensions.originalError): a help, not a leak; its stack would be one.
const LEAKS = ['Product"', "SQLITE", "prisma", "/work", "node_modules", "stack", ".ts:", "    at "];

/** The raw answer to a POST; the text is checked for leaks before it is parsed. */
async function post(server: typeof broken, body: string, headers: Record<string, string> = {}) {
  const response = await server.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  for (const leak of LEAKS) expect(text).not.toContain(leak);
  return { status: response.status, requestId: response.headers.get("x-request-id"), body: JSON.parse(text) };
}

/** Exactly the masked answer, tied to the log by the X-Request-Id header. */
function expectMasked(answer: Awaited<ReturnType<typeof post>>) {
  expect(answer.body.errors).toHaveLength(1);
  expect(answer.body.errors[0].message).toBe("Unexpected error.");
  expect(answer.body.errors[0].extensions).toEqual({
    code: "INTERNAL_SERVER_ERROR",
    requestId: answer.requestId,
  });
  expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
}

describe("in production, at each stage of a request", () => {
  it("parsing: a malformed body answers 400 with what is wrong with it", async () => {
    for (const body of [
      '{"query": ',
      '{"query": 5}',
      "[1, 2",
      '{"query": "{ products { totalCount } }", "variables": 7}',
    ]) {
      const answer = await post(broken, body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.errors[0].extensions.code, body).toBe("BAD_REQUEST");
    }
  });

  it("building the context: a database failure while checking the token is masked (500)", async () => {
    const token = await signAccessToken(broken.app.config, { userId: 1, role: "ADMIN" });
    const answer = await post(broken, JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }), {
      authorization: `Bearer ${token}`,
    });
    expect(answer.status).toBe(500);
    expect(answer.body.data ?? null).toBeNull();
    expectMasked(answer);
  });

  it("validating: a wrong field is named, with no hint drawn from the schema", async () => {
    const answer = await post(damaged, JSON.stringify({ query: "{ products { totalCoun } }" }));
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "totalCoun" on type "ProductConnection".',
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      }),
    ]);
  });

  it("executing: a database failure in a resolver is masked", async () => {
    const answer = await post(broken, JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }));
    expect(answer.body.data).toBeNull();
    expectMasked(answer);
  });

  it("serialising: a stored value the schema cannot represent is masked, on that field only", async () => {
    const query = '{ productBySku(sku: "HUGE-STOCK") { name stock } }';
    const answer = await post(damaged, JSON.stringify({ query }));
    expect(answer.body.data).toEqual({ productBySku: null });
    expectMasked(answer);
    expect(answer.body.errors[0].path).toEqual(["productBySku", "stock"]);
  });

  it("still reports expected errors with their code and message", async () => {
    const body = await broken.graphql('{ product(id: "not-an-id") { name } }');
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toContain("is not a valid Product id");
  });

  it("does not serve GraphiQL", async () => {
    const response = await broken.fetch("/graphql", { headers: { accept: "text/html" } });
    expect(await response.text()).not.toContain("Product catalog");
  });
});
