import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { ERROR_FIELDS } from "./operations.ts";
import type { TestClient } from "./server.ts";

// The one way a test creates the products and categories it needs but does not test the creation
// of: through the API, as the staff member or admin it is given, like any client. Each answers the
// new entity's global id, and fails the test (with the answer) when the creation fails.

/**
 * Creates a product: a fresh sku, "Fixture product" at 9.99 EUR, DRAFT, no stock and no
 * category, unless `input` says otherwise.
 */
export async function createProduct(staff: TestClient, input: Record<string, unknown> = {}): Promise<string> {
  const body = await staff.graphql(
    `mutation ($input: CreateProductInput!) {
      createProduct(input: $input) { ${ERROR_FIELDS} ... on CreateProductPayload { product { id } } }
    }`,
    {
      input: {
        sku: `FIXTURE-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: "Fixture product",
        price: "9.99",
        currency: "EUR",
        ...input,
      },
    },
  );
  const result = body.data?.createProduct;
  expect(result?.__typename, JSON.stringify(body)).toBe("CreateProductPayload");
  return result.product.id;
}

/** Creates a category named `name`: top-level, its slug derived from the name, unless `input` says otherwise. */
export async function createCategory(
  staff: TestClient,
  name: string,
  input: Record<string, unknown> = {},
): Promise<string> {
  const body = await staff.graphql(
    `mutation ($input: CreateCategoryInput!) {
      createCategory(input: $input) { ${ERROR_FIELDS} ... on CreateCategoryPayload { category { id } } }
    }`,
    { input: { name, ...input } },
  );
  const result = body.data?.createCategory;
  expect(result?.__typename, JSON.stringify(body)).toBe("CreateCategoryPayload");
  return result.category.id;
}
