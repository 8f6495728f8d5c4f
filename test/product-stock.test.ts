import { describe, expect, it } from "vitest";
import { ADJUST_STOCK } from "./helpers/operations.ts";
import { fields, productWritesOf } from "./helpers/product-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// adjustStock: stock moves by the delta asked, never below zero nor past the maximum, also under
// concurrent requests.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { mutate, readProduct, newProduct, expectNothingWritten } = productWritesOf(admin);

describe("adjustStock", () => {
  async function stockOf(id: string): Promise<number> {
    return (await readProduct(id)).stock;
  }

  it("adds and removes units", async () => {
    const product = await newProduct({ stock: 3 });
    const added = await mutate(ADJUST_STOCK, { productId: product.id, delta: 5 });
    expect(added).toEqual({ __typename: "AdjustStockPayload", product: { id: product.id, stock: 8 } });
    const removed = await mutate(ADJUST_STOCK, { productId: product.id, delta: -2 });
    expect(removed.product).toEqual({ id: product.id, stock: 6 });
    expect(await stockOf(product.id)).toBe(6);
  });

  it("may take stock to exactly zero", async () => {
    const product = await newProduct({ stock: 4 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: -4 });
    expect(result.product.stock).toBe(0);
  });

  it("refuses delta 0 with a ValidationError on delta", async () => {
    const product = await newProduct({ stock: 2 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: 0 });
    expect(result).toMatchObject({ __typename: "ValidationError", code: "BAD_USER_INPUT" });
    expect(fields(result)).toEqual(["delta"]);
    expect(await stockOf(product.id)).toBe(2);
  });

  it("refuses taking stock past 1,000,000,000 with a ValidationError on delta and leaves it unchanged", async () => {
    const product = await newProduct({ stock: 10 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: 999_999_991 });
    expect(result.fieldErrors).toEqual([{ field: "delta", message: "would take stock past 1000000000" }]);
    const exactly = await mutate(ADJUST_STOCK, { productId: product.id, delta: 999_999_990 });
    expect(exactly.product.stock).toBe(1_000_000_000);
  });

  it("refuses going below zero with InsufficientStockError and leaves stock unchanged", async () => {
    const product = await newProduct({ stock: 6 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: -7 });
    expect(result).toMatchObject({
      __typename: "InsufficientStockError",
      code: "INSUFFICIENT_STOCK",
      available: 6,
      requested: 7,
    });
    expect(result.message).toMatch(/7/);
    expect(await stockOf(product.id)).toBe(6);
  });

  it("answers NotFoundError for an unknown product", async () => {
    const unknown = Buffer.from("Product:999999").toString("base64");
    const result = await expectNothingWritten(() => mutate(ADJUST_STOCK, { productId: unknown, delta: 1 }));
    expect(result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: unknown });
  });

  it("lets exactly as many concurrent decrements succeed as there is stock", async () => {
    const product = await newProduct({ stock: 10 });
    const results = await Promise.all(
      Array.from({ length: 25 }, () => mutate(ADJUST_STOCK, { productId: product.id, delta: -1 })),
    );
    const succeeded = results.filter((result) => result.__typename === "AdjustStockPayload");
    const refused = results.filter((result) => result.__typename === "InsufficientStockError");
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(15);
    for (const result of refused) expect(result).toMatchObject({ available: 0, requested: 1 });
    expect(await stockOf(product.id)).toBe(0);
  });
});
