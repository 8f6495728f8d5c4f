import { beforeAll, describe, expect, it } from "vitest";
import { JSON_TYPE } from "./helpers/hostile-requests.ts";
import { createSweepProducts, sweep } from "./helpers/hostile-sweep.ts";
import { startTestServer } from "./helpers/server.ts";

// The hostile-input sweep (test/helpers/hostile-sweep.ts) against a production server, which must
// mask every unexpected error; and the cases the sweep once found failing there.

const production = startTestServer({
  NODE_ENV: "production",
  SECRET_KEY: "hostile-input-test-secret-key-0123456789",
});

beforeAll(() => createSweepProducts(production));

describe("a sweep of malformed and hostile requests", () => {
  it("in production too, with every unexpected error masked", async () => {
    const { accessToken } = await production.as("ADMIN").session();
    const result = await sweep(production, accessToken);
    expect(result.problems).toEqual([]);
    expect(result.sent).toBeGreaterThanOrEqual(1_000);
  }, 120_000);
});

describe("cases the sweep once found failing (production server)", () => {
  async function post(body: unknown) {
    const response = await production.fetch("/graphql", {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  const codes = (body: any): unknown[] => (body.errors ?? []).map((error: any) => error.extensions?.code);
  const globalId = (text: string) => Buffer.from(text).toString("base64");

  // Was a bug: graphql-armor's token limit (2,000) counts tokens while graphql-js parses recursively;
  // a list nested ~2,000+ deep ("[[[[…", 2.5 KB) overflows the stack first: RangeError, HTTP 500.
  it("refuses a list nested 2,500 deep with a GraphQL error, not a 500", async () => {
    const { status, body } = await post({ query: `{ products(filter: ${"[".repeat(2_500)}) }` });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
    expect(status).toBeLessThan(500);
  });

  // Was a bug: a string variable holding a lone surrogate ("\ud800" in the JSON body) reaches Prisma,
  // whose query serialisation fails ("JSON Error: unexpected end of hex escape"): internal error.
  it("answers productBySku with a lone surrogate without an internal error", async () => {
    const { body } = await post({
      query: "query ($sku: String!) { productBySku(sku: $sku) { name } }",
      variables: { sku: "\ud800" },
    });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
  });

  // Was a bug on PostgreSQL: its text cannot hold U+0000, so a NUL in a variable (or in a string
  // of the document) failed the query: internal error. Refused as the client's mistake on both
  // databases, with a clear message.
  it("refuses a NUL character in a variable or the document with 400 BAD_REQUEST, naming it", async () => {
    for (const request of [
      { query: "query ($sku: String!) { productBySku(sku: $sku) { name } }", variables: { sku: "A\u0000" } },
      { query: '{ productBySku(sku: "A\u0000") { name } }' },
      { query: '{ productBySku(sku: "A\\u0000") { name } }' },
      { query: '{ productBySku(sku: "A\\u{0}") { name } }' },
    ]) {
      const { status, body } = await post(request);
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({
        message: "The request contains a NUL character (U+0000), which no text here may hold",
        extensions: { code: "BAD_REQUEST" },
      });
    }
  });

  // Was a bug: Category's node loader uses findUniqueOrThrow, so node(id:) for a category that does
  // not exist (or no longer does) is an internal error instead of null; nodes(ids:) loses all.
  it("answers node(id:) for a category that does not exist with null", async () => {
    const { body } = await post({
      query: "query ($id: ID!) { node(id: $id) { id } }",
      variables: { id: globalId("Category:987654") },
    });
    expect(body).toEqual({ data: { node: null } });
  });

  // Was a bug: node(id:) hands Number("NaN") or 1e23 from a decoded Product id straight to Prisma,
  // which refuses the query: internal error (product(id:) validates the same id properly).
  it("answers node(id:) for a Product id that is not an integer without an internal error", async () => {
    const { body } = await post({
      query: "query ($id: ID!) { node(id: $id) { id } }",
      variables: { id: globalId("Product:NaN") },
    });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
  });

  // Was a bug: Yoga's GET parser throws a SyntaxError on a variables (or extensions) parameter that is
  // not JSON, and it is answered as an unexpected error, HTTP 500, instead of a 400.
  it("refuses GET variables that are not JSON with a 400", async () => {
    const response = await production.fetch("/graphql?query=%7B__typename%7D&variables=not-json", {
      headers: { "x-graphql-yoga-csrf": "1", accept: "application/json" },
    });
    expect(response.status).toBe(400);
  });
});
