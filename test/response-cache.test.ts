import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createProduct as createProductService } from "../src/services/products.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { cachedAndUncachedServers, expectAnsweredFromCache } from "./helpers/response-cache.ts";
import { type GraphQLResponse, TEST_PASSWORD } from "./helpers/server.ts";

// The response cache: what it answers from memory, for whom, and what it never keeps.
// (After each catalog mutation: response-cache-invalidation.test.ts; across processes:
// response-cache-redis.test.ts.)

const { cached, uncached, viewer, ask, statementsDuring } = cachedAndUncachedServers();
const admin = cached.as("ADMIN");
const anonymous = viewer("anonymous");
const customer = viewer("CUSTOMER");
const staff = viewer("STAFF");

const tag = randomUUID().slice(0, 8);
/** Every product of this file, ACTIVE and DRAFT, with what only staff may see. */
const TAGGED = `query ($search: String!) {
  products(filter: { search: $search, status: [ACTIVE, DRAFT] }) { totalCount edges { node { name status } } }
}`;
const TAGGED_WITH_COST = `query ($search: String!) {
  products(filter: { search: $search }) { edges { node { name costPrice { amount } } } }
}`;

beforeAll(async () => {
  await createProduct(admin, { name: `Shown ${tag}`, status: "ACTIVE", costPrice: "1.00" });
  await createProduct(admin, { name: `Hidden ${tag}`, status: "DRAFT", costPrice: "1.00" });
});

/** Asks the cached server; what it answered and how many SQL statements that took. */
async function measured(who: typeof anonymous, query: string, variables?: Record<string, unknown>) {
  let answer: GraphQLResponse = {};
  const statements = await statementsDuring(async () => {
    answer = await ask(cached, who, query, variables);
  });
  return { answer, statements };
}

describe("answers from the cache", () => {
  it("answers a repeated anonymous query without running it", async () => {
    const query = `{ products(filter: { search: "${tag}" }) { totalCount edges { node { name } } } }`;
    const first = await measured(anonymous, query);
    expect(first.statements).toBeGreaterThan(0);
    const second = await measured(anonymous, query);
    expectAnsweredFromCache(anonymous, second.statements, second.answer);
    expect(second.answer).toEqual(first.answer);
    expect(second.answer.data?.products.totalCount).toBe(1);
  });

  it("runs every query again with RESPONSE_CACHE_TTL_SECONDS=0", async () => {
    const query = `{ products(filter: { search: "${tag}" }) { totalCount } }`;
    for (let i = 0; i < 2; i += 1) {
      expect(await statementsDuring(() => ask(uncached, anonymous, query), uncached)).toBeGreaterThan(0);
    }
  });

  it("answers a logged-in caller's repeated query with only the read of the caller's role", async () => {
    const first = await measured(customer, TAGGED, { search: `Shown ${tag}` });
    expect(first.statements).toBeGreaterThan(1);
    const second = await measured(customer, TAGGED, { search: `Shown ${tag}` });
    expectAnsweredFromCache(customer, second.statements, second.answer);
    expect(second.answer).toEqual(first.answer);
  });

  it("shares one answer among the users of a role, not per user", async () => {
    const variables = { search: `${tag} ` };
    await ask(cached, staff, TAGGED, variables);
    const otherStaff = viewer("STAFF");
    await otherStaff.client?.session();
    const answer = await measured(otherStaff, TAGGED, variables);
    expectAnsweredFromCache(otherStaff, answer.statements, answer.answer);
  });
});

describe("a role's answer never reaches another role", () => {
  it("answers anonymous and customer callers their own view of a query staff asked first", async () => {
    const variables = { search: tag };
    const forStaff = await ask(cached, staff, TAGGED, variables);
    expect(forStaff.data?.products.totalCount).toBe(2);
    for (const who of [anonymous, customer]) {
      const answer = await ask(cached, who, TAGGED, variables);
      expect(answer).toEqual(await ask(uncached, who, TAGGED, variables));
      expect(answer.data?.products.totalCount).toBe(1);
      expect(JSON.stringify(answer)).not.toContain("DRAFT");
    }
  });

  it("refuses the cost price to anonymous and customer callers after staff's answer with it was cached", async () => {
    const variables = { search: tag };
    const forStaff = await ask(cached, staff, TAGGED_WITH_COST, variables);
    expect(forStaff.data?.products.edges[0].node.costPrice).toEqual({ amount: "1.00" });
    for (const who of [anonymous, customer]) {
      const answer = await ask(cached, who, TAGGED_WITH_COST, variables);
      expect(answer).toEqual(await ask(uncached, who, TAGGED_WITH_COST, variables));
      expect(answer.errors?.[0]?.extensions?.code).toBe(who.client ? "FORBIDDEN" : "UNAUTHENTICATED");
      expect(JSON.stringify(answer)).not.toContain("1.00");
    }
  });

  it("answers staff their own view of a query anonymous and customer callers asked first", async () => {
    const variables = { search: `${tag}` };
    const query = `${TAGGED} # asked by customers first`;
    for (const who of [anonymous, customer]) {
      expect((await ask(cached, who, query, variables)).data?.products.totalCount).toBe(1);
    }
    for (const who of [staff, viewer("ADMIN")]) {
      const answer = await ask(cached, who, query, variables);
      expect(answer).toEqual(await ask(uncached, who, query, variables));
      expect(answer.data?.products.totalCount).toBe(2);
    }
  });
});

describe("never cached", () => {
  it("answers `me` to each user from the database, never another user's answer", async () => {
    const query = "{ me { id email role } }";
    const first = viewer("CUSTOMER");
    const second = viewer("CUSTOMER");
    const mine = await ask(cached, first, query);
    expect(mine.data?.me.id).toBe((await first.client?.session())?.userId);
    const again = await measured(first, query);
    expect(again.answer).toEqual(mine);
    expect(again.statements).toBeGreaterThan(1);
    const theirs = await ask(cached, second, query);
    expect(theirs.data?.me.id).toBe((await second.client?.session())?.userId);
    expect((await ask(cached, anonymous, query)).data).toEqual({ me: null });
  });

  it("lists a new account at once in `users`, which no event announces", async () => {
    const query = "{ users(last: 5) { totalCount edges { node { email } } } }";
    const admins = viewer("ADMIN");
    const before = await ask(cached, admins, query);
    const email = `new-${randomUUID()}@example.test`;
    const signUp = await cached.graphql(
      "mutation ($input: SignUpInput!) { signUp(input: $input) { __typename } }",
      { input: { email, name: "New", password: TEST_PASSWORD } },
    );
    expect(signUp.data?.signUp.__typename).toBe("AuthPayload");
    const after = await ask(cached, admins, query);
    expect(after.data?.users.totalCount).toBe(before.data?.users.totalCount + 1);
    expect(after).toEqual(await ask(uncached, admins, query));
  });

  it("runs a repeated mutation each time", async () => {
    const id = await createProduct(admin, { status: "ACTIVE" });
    const adjust = `mutation ($input: AdjustStockInput!) {
      adjustStock(input: $input) { ... on AdjustStockPayload { product { stock } } }
    }`;
    const input = { input: { productId: id, delta: 1 } };
    expect((await admin.graphql(adjust, input)).data?.adjustStock.product.stock).toBe(1);
    expect((await admin.graphql(adjust, input)).data?.adjustStock.product.stock).toBe(2);
  });

  it("runs again a query whose answer had an error", async () => {
    const query = `{ products(filter: { search: "${tag}" }) { totalCount } product(id: "not an id") { id } }`;
    const first = await measured(anonymous, query);
    expect(first.answer.errors).toBeDefined();
    const second = await measured(anonymous, query);
    expect(second.answer).toEqual(first.answer);
    expect(second.statements).toBeGreaterThan(0);
  });

  it("runs a repeated REST request each time", async () => {
    // REST routes are left out: a route may put its path's id into the variables after the
    // cache key is made from them.
    // As staff: SOFA asks for every field, and anonymous answers lack the cost price (an error).
    const id = await createProduct(admin, { status: "ACTIVE" });
    const { accessToken } = (await staff.client?.session()) ?? {};
    for (let i = 0; i < 2; i += 1) {
      const statements = await statementsDuring(async () => {
        const response = await cached.fetch(`/api/products/${id}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        expect(response.status).toBe(200);
      });
      // More than the caller's authentication: the operation ran.
      expect(statements).toBeGreaterThan(1);
    }
  });

  it("refuses a request with a bad token even when its query was answered from the cache", async () => {
    const query = `{ products(filter: { search: "${tag}" }) { totalCount } }`;
    await ask(cached, anonymous, query);
    const hit = await measured(anonymous, query);
    expectAnsweredFromCache(anonymous, hit.statements, hit.answer);
    const refused = await cached.graphql(query, {}, { authorization: "Bearer not-a-token" });
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("changes made outside a request", () => {
  it("drops cached answers when a script's change is published on the app's events", async () => {
    const word = `script${tag}`;
    const query = `{ products(filter: { search: "${word}" }) { totalCount edges { node { name } } } }`;
    expect((await ask(cached, anonymous, query)).data?.products.totalCount).toBe(0);
    const hit = await measured(anonymous, query);
    expectAnsweredFromCache(anonymous, hit.statements, hit.answer);
    // As the seed and scripts do: the service itself, no request, no user.
    await createProductService(
      { config: cached.app.config, prisma: cached.app.prisma, events: cached.app.events, user: null },
      { sku: `SCRIPT-${tag}`.toUpperCase(), name: word, price: "1.00", currency: "EUR", status: "ACTIVE" },
    );
    const answer = await ask(cached, anonymous, query);
    expect(answer.data?.products.totalCount).toBe(1);
    expect(answer).toEqual(await ask(uncached, anonymous, query));
  });
});
