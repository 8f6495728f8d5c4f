import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectStillServing } from "./helpers/requests.ts";
import { type GraphQLResponse, startTestServer } from "./helpers/server.ts";

// The limits on an operation's shape (depth, aliases, tokens, directives, cost): each refuses an
// operation one step over it before anything runs, and runs one exactly at it.

/** Refused while the document is checked: no `data` at all, so no resolver ran. */
function expectRefused(body: GraphQLResponse, message: RegExp) {
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors?.[0]?.message).toMatch(message);
}

describe("depth limit (MAX_DEPTH=5)", () => {
  const server = startTestServer({ MAX_DEPTH: "5" });
  const staff = server.as("STAFF");

  // categoryBySlug is at depth 1, each parent one deeper, name deepest: depth = parents + 2.
  const nested = (parents: number) =>
    `{ categoryBySlug(slug: "none") { ${"parent { ".repeat(parents)}name${" }".repeat(parents)} } }`;

  it("refuses a query one level too deep, naming the limit", async () => {
    const body = await server.graphql(nested(4));
    expectRefused(body, /depth limit of 5 exceeded, found 6/i);
  });

  it("runs a query exactly at the limit", async () => {
    const body = await server.graphql(nested(3));
    expect(body).toEqual({ data: { categoryBySlug: null } });
  });

  it("refuses a too-deep mutation before it runs: nothing is written", async () => {
    const slug = `deep-${randomUUID()}`;
    const mutation = (selection: string) =>
      `mutation ($input: CreateCategoryInput!) {
        createCategory(input: $input) {
          __typename ... on CreateCategoryPayload { category { ${selection} } }
        }
      }`;
    // createCategory=1, fragment=2, category=3, parent=4, parent=5, name=6.
    const refused = await staff.graphql(mutation("parent { parent { name } }"), {
      input: { name: "Deep", slug },
    });
    expectRefused(refused, /depth limit of 5/i);
    const lookUp = await server.graphql(`{ categoryBySlug(slug: "${slug}") { slug } }`);
    expect(lookUp).toEqual({ data: { categoryBySlug: null } });

    // The same mutation within the limit does write, so the check above can tell the difference.
    const accepted = await staff.graphql(mutation("slug"), { input: { name: "Deep", slug } });
    expect(accepted.data?.createCategory).toEqual({
      __typename: "CreateCategoryPayload",
      category: { slug },
    });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("aliases limit (MAX_ALIASES=3)", () => {
  const server = startTestServer({ MAX_ALIASES: "3" });
  const aliased = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: categoryBySlug(slug: "none") { id }`).join(" ")} }`;

  it("refuses one alias too many, naming the limit", async () => {
    const body = await server.graphql(aliased(4));
    expectRefused(body, /aliases limit of 3 exceeded, found 4/i);
  });

  it("runs a query with exactly as many aliases as allowed", async () => {
    const body = await server.graphql(aliased(3));
    expect(body).toEqual({ data: { a0: null, a1: null, a2: null } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("token limit (MAX_TOKENS=20)", () => {
  const server = startTestServer({ MAX_TOKENS: "20" });
  // `{`, `}` and one token per repeated field.
  const tokens = (count: number) => `{ ${"__typename ".repeat(count - 2)}}`;

  it("refuses a document of 21 tokens, naming the limit", async () => {
    const body = await server.graphql(tokens(21));
    expectRefused(body, /token limit of 20 exceeded/i);
  });

  it("runs a document of exactly 20 tokens", async () => {
    const body = await server.graphql(tokens(20));
    expect(body).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("directives limit (MAX_DIRECTIVES=3)", () => {
  const server = startTestServer({ MAX_DIRECTIVES: "3" });
  const directives = (count: number) => `{ ${"__typename @include(if: true) ".repeat(count)}}`;

  it("refuses one directive too many, naming the limit", async () => {
    const body = await server.graphql(directives(4));
    expectRefused(body, /directives limit of 3 exceeded, found 4/i);
  });

  it("runs a query with exactly as many directives as allowed", async () => {
    const body = await server.graphql(directives(3));
    expect(body).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("cost limit (MAX_COST=20)", () => {
  const server = startTestServer({ MAX_COST: "20" });
  // A connection costs (2 + 1.5 × 1) per requested item: first: 5 costs 17.5, first: 6 costs 21.
  const products = (first: number) => `{ products(first: ${first}) { totalCount } }`;

  it("refuses a query over the cost limit, naming the limit", async () => {
    const body = await server.graphql(products(6));
    expectRefused(body, /cost limit of 20 exceeded/i);
  });

  it("runs a query just under the cost limit", async () => {
    const body = await server.graphql(products(5));
    expect(body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});
