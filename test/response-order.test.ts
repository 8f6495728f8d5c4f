import { beforeAll, describe, expect, it } from "vitest";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer } from "./helpers/server.ts";
import { subscribe, untilListening } from "./helpers/subscriptions.ts";

// A response's fields come in the order of the selection set (GraphQL spec, 7.2.2 "Serialized Map
// Ordering"): GraphiQL readers and clients that snapshot responses rely on it. Whether a resolver
// is synchronous or not must not change it, nor fragments, nor an error beside a field.

/**
 * The keys of a response in the order received, values dropped: objects keep their keys, a list
 * keeps its first item, anything else is null. Compared as JSON text, which keeps key order
 * (toEqual would not see it).
 */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [keyOrder(value[0])] : [];
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, keyOrder(child)]));
  }
  return null;
}

const inOrder = (value: unknown) => JSON.stringify(keyOrder(value));

describe("response field order", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");

  beforeAll(async () => {
    for (let i = 0; i < 3; i += 1) await createProduct(staff, { status: "ACTIVE" });
  });

  it("follows the selection set in nested selections", async () => {
    // totalCount and node.id resolve synchronously from what is loaded, sku and name from the
    // loaded row, edges and pageInfo after a query: none of it changes the order.
    const body = await server.graphql(
      "{ products(first: 2) { totalCount edges { node { id sku name } } pageInfo { hasNextPage } } }",
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.products.edges).toHaveLength(2);
    expect(inOrder(body.data)).toBe(
      inOrder({
        products: {
          totalCount: 0,
          edges: [{ node: { id: 0, sku: 0, name: 0 } }],
          pageInfo: { hasNextPage: 0 },
        },
      }),
    );
  });

  it("follows it through fragments, inline fragments, aliases and __typename", async () => {
    const body = await server.graphql(`
      query {
        catalog: products(first: 2) { ...Page }
        __typename
      }
      fragment Page on ProductConnection {
        pageInfo { hasNextPage }
        edges { node { sku ...Item } cursor }
        count: totalCount
      }
      fragment Item on Product {
        __typename
        name
        ... on Node { id }
        sku
        price { currency amount }
      }
    `);
    expect(body.errors).toBeUndefined();
    // sku is selected twice; it keeps the place of its first selection.
    expect(inOrder(body.data)).toBe(
      inOrder({
        catalog: {
          pageInfo: { hasNextPage: 0 },
          edges: [
            { node: { sku: 0, __typename: 0, name: 0, id: 0, price: { currency: 0, amount: 0 } }, cursor: 0 },
          ],
          count: 0,
        },
        __typename: 0,
      }),
    );
  });

  it("keeps it beside a field refused with an error", async () => {
    // costPrice is refused to anonymous clients: an error, and null in its place.
    const body = await server.graphql(
      "{ products(first: 2) { edges { node { name costPrice { amount } id } } totalCount } }",
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(body.data?.products.edges[0].node.costPrice).toBeNull();
    expect(inOrder(body.data)).toBe(
      inOrder({ products: { edges: [{ node: { name: 0, costPrice: 0, id: 0 } }], totalCount: 0 } }),
    );
  });

  it("follows it in subscription events", async () => {
    const { accessToken } = await staff.session();
    const events = subscribe(
      server,
      "SSE",
      "subscription { productChanged { product { sku id name } changed kind } }",
      {
        token: accessToken,
      },
    );
    await untilListening(server, "productChanged", 1);
    await createProduct(staff, { status: "ACTIVE" });
    const [event] = await events.results(1);
    await events.stop();
    expect(event?.errors).toBeUndefined();
    expect(inOrder(event?.data)).toBe(
      inOrder({ productChanged: { product: { sku: 0, id: 0, name: 0 }, changed: [], kind: 0 } }),
    );
  });
});
