import { describe, expect, it } from "vitest";
import { createCategory, createProduct } from "./helpers/fixtures.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { startTestServer } from "./helpers/server.ts";

// Writes of one product or category sent at the same moment, over HTTP. SQLite runs the app's
// transactions one at a time; PostgreSQL runs them side by side, and the services' row locks
// (src/db/row-locks.ts) must make the outcome one that running them in some order would give:
// every check holds against what is stored, and a race is answered with a typed error, never an
// internal one.

const server = startTestServer({ RESPONSE_CACHE_TTL_SECONDS: "0" });
const admin = server.as("ADMIN");
const ROUNDS = 8;

async function mutation(field: string, inputType: string, input: Record<string, unknown>) {
  const body = await admin.graphql(
    `mutation ($input: ${inputType}!) { ${field}(input: $input) { ${ERROR_FIELDS} } }`,
    { input },
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return (body.data as Record<string, { __typename: string; code?: string }>)[field];
}

async function product(id: string) {
  const body = await admin.graphql<{
    product: { name: string; price: { amount: string; currency: string } };
  }>("query ($id: ID!) { product(id: $id) { name price { amount currency } } }", { id });
  return body.data?.product;
}

describe("concurrent writes", () => {
  it("of a currency and a price never leave a price finer than its currency allows", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await createProduct(admin, { price: "9.99", currency: "EUR" });
      // Each is valid against the product as it was; after the other, one of them is not.
      const outcomes = await Promise.all([
        mutation("updateProduct", "UpdateProductInput", { id, currency: "JPY", price: "100" }),
        mutation("updateProduct", "UpdateProductInput", { id, price: "1.50" }),
      ]);
      // In either order the currency change applies, and the price in cents either ran first (and
      // was replaced) or ran second and was refused: 100 JPY either way.
      expect((await product(id))?.price).toEqual({ amount: "100", currency: "JPY" });
      expect(outcomes[0]?.__typename).toBe("UpdateProductPayload");
      expect(["UpdateProductPayload", "ValidationError"]).toContain(outcomes[1]?.__typename);
    }
  });

  it("of a name and a description keep the product findable by both", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await createProduct(admin, { name: `Before ${round}`, description: "old words" });
      await Promise.all([
        mutation("updateProduct", "UpdateProductInput", { id, name: `Renamed ${round} zebra` }),
        mutation("updateProduct", "UpdateProductInput", { id, description: `new words ${round} quokka` }),
      ]);
      // The search text is written from the name and description the update read: both must be
      // the stored ones.
      for (const search of [`renamed ${round} zebra`, `new words ${round} quokka`]) {
        const body = await admin.graphql<{ products: { edges: { node: { id: string } }[] } }>(
          "query ($search: String!) { products(first: 5, filter: { search: $search }) { edges { node { id } } } }",
          { search },
        );
        expect(
          body.data?.products.edges.map((edge) => edge.node.id),
          search,
        ).toEqual([id]);
      }
    }
  });

  it("deleting one product twice at once: one is deleted, the other is told it is not found", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await createProduct(admin);
      const outcomes = await Promise.all([
        mutation("deleteProduct", "DeleteProductInput", { id }),
        mutation("deleteProduct", "DeleteProductInput", { id }),
      ]);
      expect(outcomes.map((outcome) => outcome?.__typename).sort()).toEqual([
        "DeleteProductPayload",
        "NotFoundError",
      ]);
    }
  });

  it("deleting a category while a product is created in it: one or the other is refused, with a typed error", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const categoryId = await createCategory(admin, `Contested ${round}`);
      const [deleted, created] = await Promise.all([
        mutation("deleteCategory", "DeleteCategoryInput", { id: categoryId }),
        mutation("createProduct", "CreateProductInput", {
          sku: `CONTESTED-${round}`,
          name: "Contested",
          price: "1.00",
          currency: "EUR",
          categoryId,
        }),
      ]);
      const outcome = [deleted?.__typename, created?.__typename];
      expect([
        ["DeleteCategoryPayload", "ValidationError"],
        ["ConflictError", "CreateProductPayload"],
      ]).toContainEqual(outcome);
    }
  });
});
