import { beforeAll, describe, expect, it } from "vitest";
import { createCategory } from "./helpers/fixtures.ts";
import { DELETE_PRODUCT } from "./helpers/operations.ts";
import { fields, productWritesOf } from "./helpers/product-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// deleteProduct: it deletes the product asked for and nothing else.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { mutate, readProduct, newProduct, productCount, expectNothingWritten, productBySku } =
  productWritesOf(admin);

let kitchen: { id: string; name: string };

beforeAll(async () => {
  kitchen = { id: await createCategory(admin, "Kitchen"), name: "Kitchen" };
});

describe("deleteProduct", () => {
  it("deletes a product and answers its id", async () => {
    const product = await newProduct({ sku: "GONE-1" });
    const before = await productCount();
    const result = await mutate(DELETE_PRODUCT, { id: product.id });
    expect(result).toEqual({ __typename: "DeleteProductPayload", deletedProductId: product.id });
    expect(await productCount()).toBe(before - 1);
    expect(await readProduct(product.id)).toBeNull();
    expect(await productBySku("GONE-1")).toBeNull();
  });

  it("answers NotFoundError when deleting it again", async () => {
    const product = await newProduct();
    await mutate(DELETE_PRODUCT, { id: product.id });
    const result = await expectNothingWritten(() => mutate(DELETE_PRODUCT, { id: product.id }));
    expect(result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: product.id });
  });

  it("refuses a Category id with a ValidationError and deletes nothing", async () => {
    const result = await expectNothingWritten(() => mutate(DELETE_PRODUCT, { id: kitchen.id }));
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["id"]);
  });
});
