import { describe, expect, it } from "vitest";
import { expectStillServing } from "./helpers/requests.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

// Introspection, GraphiQL and "Did you mean" suggestions: off in production unless asked for, on
// in development.

const SECRET_KEY = "a-test-secret-key-that-is-long-enough-1234";
const INTROSPECTION_QUERY = "{ __schema { types { name } } }";

/** What GET /graphql answers a browser: GraphiQL where it is served. */
function graphiql(server: TestServer) {
  return server.fetch("/graphql", { headers: { accept: "text/html" } }).then((response) => response.text());
}

const MISSPELLED = "{ prodcts(first: 1) { totalCount } }";

describe("introspection in production (default: off)", () => {
  const server = startTestServer({ NODE_ENV: "production", SECRET_KEY });

  it("refuses an introspection query", async () => {
    const body = await server.graphql(INTROSPECTION_QUERY);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it("does not serve GraphiQL", async () => {
    expect(await graphiql(server)).not.toMatch(/graphiql/i);
  });

  it("does not suggest field names in errors", async () => {
    const body = await server.graphql(MISSPELLED);
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "prodcts"/);
    expect(JSON.stringify(body)).not.toMatch(/Did you mean/);
    expect(JSON.stringify(body)).not.toContain('"products"');
  });

  // Bug: the suggestion filter only rewrites `Did you mean "x"?` in validation errors. graphql-js
  // words enum suggestions `Did you mean the enum value "X"?`, and errors about variables come
  // from execution, not validation, so both still spell out names of the schema.
  it("does not suggest enum values or input fields either, in the document or in variables", async () => {
    const answers = [
      await server.graphql("{ products(first: 1, filter: { status: [ACTIV] }) { totalCount } }"),
      await server.graphql(
        "query ($s: [ProductStatus!]) { products(first: 1, filter: { status: $s }) { totalCount } }",
        { s: ["ACTIV"] },
      ),
      await server.graphql("query ($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }", {
        f: { serch: "x" },
      }),
    ];
    for (const answer of answers) {
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.length).toBeGreaterThan(0);
    }
    expect(answers.map((answer) => answer.errors?.[0]?.message).join("\n")).not.toMatch(/Did you mean/);
  });

  it("still answers a normal request", async () => {
    await expectStillServing(server);
  });
});

describe("introspection in production with INTROSPECTION=true", () => {
  const server = startTestServer({ NODE_ENV: "production", SECRET_KEY, INTROSPECTION: "true" });

  it("serves GraphiQL", async () => {
    expect(await graphiql(server)).toMatch(/graphiql/i);
  });

  it("answers an introspection query", async () => {
    const body = await server.graphql<{ __schema: { types: { name: string }[] } }>(INTROSPECTION_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.types.map((type) => type.name)).toContain("Product");
  });
});

describe("introspection in development (default: on)", () => {
  const server = startTestServer({ NODE_ENV: "development" });

  it("answers an introspection query", async () => {
    const body = await server.graphql<{ __schema: { types: { name: string }[] } }>(INTROSPECTION_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.types.map((type) => type.name)).toContain("Product");
  });

  it("serves GraphiQL", async () => {
    expect(await graphiql(server)).toMatch(/graphiql/i);
  });

  it("serves GraphiQL's scripts and styles itself, so it works without internet access", async () => {
    const page = await graphiql(server);
    expect(page.length).toBeGreaterThan(100_000);
    const external = [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)=["']?(https?:[^"' >]+)/gi)]
      .map((match) => match[1])
      .filter((url) => !url?.endsWith(".ico"));
    expect(external).toEqual([]);
  });

  it("suggests field names (the production test above can tell them apart)", async () => {
    const body = await server.graphql(MISSPELLED);
    expect(body.errors?.[0]?.message).toMatch(/Did you mean "products?"/);
  });
});
