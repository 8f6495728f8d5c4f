import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  expectAnswered,
  expectRateLimited,
  post,
  QUERY,
  STORES,
  startServerWithStore,
} from "./helpers/rate-limits.ts";
import { startTestServer } from "./helpers/server.ts";

// RATE_LIMIT_MUTATIONS: mutations per user, and per address for anonymous clients.

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
