import { beforeAll, describe, expect, it } from "vitest";
import { createCategory, createProduct } from "./helpers/fixtures.ts";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");

const nestedQuery = /* GraphQL */ `
  query ($first: Int!) {
    products(first: $first) {
      totalCount
      edges {
        node {
          sku
          price { amount currency }
          category {
            name
            slug
            parent { name }
            products(first: 5) { totalCount edges { node { sku category { slug } } } }
          }
        }
      }
    }
  }
`;

/** Runs a request and returns the SQL statements the server ran for it. */
async function statementsFor(query: string, variables: Record<string, unknown>) {
  const statements: string[] = [];
  const listener = (event: { query: string }) => statements.push(event.query);
  server.app.prisma.$on("query", listener);
  const body = await admin.graphql(query, variables);
  expect(body.errors).toBeUndefined();
  // $on has no "off": empty the array so this listener's later events are not counted.
  return { body, statements: statements.splice(0) };
}

beforeAll(async () => {
  const parentId = await createCategory(admin, "All");
  const categoryIds: string[] = [];
  for (const name of ["Alpha", "Beta", "Gamma", "Delta"]) {
    categoryIds.push(await createCategory(admin, name, { parentId }));
  }
  await Promise.all(
    Array.from({ length: 120 }, (_, index) =>
      createProduct(admin, {
        sku: `N1-${index}`,
        name: `Product ${index}`,
        price: "1.00",
        currency: "EUR",
        categoryId: categoryIds[index % categoryIds.length],
      }),
    ),
  );
});

describe("nested selections are loaded without N+1 queries", () => {
  it("runs the same small number of statements for a page of 10 and a page of 100", async () => {
    const small = await statementsFor(nestedQuery, { first: 10 });
    const large = await statementsFor(nestedQuery, { first: 100 });
    expect(small.body.data?.products.edges).toHaveLength(10);
    expect(large.body.data?.products.edges).toHaveLength(100);
    const nestedEdges = large.body.data?.products.edges[0].node.category.products.edges;
    expect(nestedEdges).toHaveLength(5);
    // Batched loading must still give each category its own first five products.
    for (const { node } of large.body.data?.products.edges ?? []) {
      const nested = node.category.products;
      expect(nested.totalCount).toBe(30);
      expect(nested.edges).toHaveLength(5);
      for (const edge of nested.edges) expect(edge.node.category.slug).toBe(node.category.slug);
    }

    expect(large.statements.length).toBe(small.statements.length);
    // The token's user, products page, its count, categories with nested counts, parents, nested
    // products, and their categories: seven statements however large the page (seen: 7).
    expect(large.statements.length).toBeLessThanOrEqual(7);
  });
});
