import { beforeAll, describe, expect, it } from "vitest";
import { createCategory } from "./helpers/fixtures.ts";
import { CREATE_PRODUCT } from "./helpers/operations.ts";
import { fields, nextSku, productWritesOf } from "./helpers/product-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// createProduct: what it stores, and what it refuses without writing anything.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { mutate, readProduct, productCount, expectNothingWritten, productBySku } = productWritesOf(admin);

/** The mutation under test, with a valid default for every required field: the product it answers. */
async function createProduct(input: Record<string, unknown> = {}) {
  const result = await mutate(CREATE_PRODUCT, {
    sku: nextSku(),
    name: "Fixture product",
    price: "9.99",
    currency: "EUR",
    ...input,
  });
  expect(result.__typename, JSON.stringify(result)).toBe("CreateProductPayload");
  return result.product;
}

let kitchen: { id: string; name: string };

beforeAll(async () => {
  kitchen = { id: await createCategory(admin, "Kitchen"), name: "Kitchen" };
});

describe("createProduct", () => {
  it("creates a product with every field and answers it in CreateProductPayload", async () => {
    const before = await productCount();
    const result = await mutate(CREATE_PRODUCT, {
      sku: "kt-100",
      name: "  Chef's Knife ",
      description: "Forged steel, 20 cm",
      price: "49.90",
      currency: "eur",
      stock: 7,
      status: "ACTIVE",
      categoryId: kitchen.id,
    });
    expect(result.__typename).toBe("CreateProductPayload");
    const product = result.product;
    expect(product).toMatchObject({
      sku: "KT-100",
      name: "Chef's Knife",
      description: "Forged steel, 20 cm",
      stock: 7,
      status: "ACTIVE",
      price: { amount: "49.90", currency: "EUR" },
      category: { id: kitchen.id, name: "Kitchen" },
    });
    expect(await productCount()).toBe(before + 1);
    expect(await readProduct(product.id)).toEqual(product);
  });

  it("defaults status to DRAFT, stock to 0, description to empty and category to none", async () => {
    const product = await createProduct({ sku: "defaults-1", name: "Bare", price: "1.00" });
    expect(product).toMatchObject({
      sku: "DEFAULTS-1",
      status: "DRAFT",
      stock: 0,
      description: "",
      category: null,
      price: { amount: "1.00", currency: "EUR" },
    });
    expect(product.createdAt).toBe(product.updatedAt);
  });

  it("normalizes the sku to upper case and finds it again by any case", async () => {
    const product = await createProduct({ sku: "mixed-Case.sku_1" });
    expect(product.sku).toBe("MIXED-CASE.SKU_1");
    expect((await productBySku("mixed-case.SKU_1"))?.id).toBe(product.id);
  });

  describe("refuses invalid input with a ValidationError and writes nothing", () => {
    const cases: { title: string; input: Record<string, unknown>; field: string }[] = [
      { title: "an empty name", input: { name: "" }, field: "name" },
      { title: "a blank name", input: { name: "   " }, field: "name" },
      { title: "a negative price", input: { price: "-1.00" }, field: "price" },
      { title: "more decimals than EUR allows", input: { price: "12.345" }, field: "price" },
      { title: "more decimals than JPY allows", input: { price: "12.5", currency: "JPY" }, field: "price" },
      { title: "an unknown currency", input: { currency: "XYZ" }, field: "currency" },
      { title: "a sku with a space", input: { sku: "has space" }, field: "sku" },
      { title: "a sku starting with '-'", input: { sku: "-lead" }, field: "sku" },
      { title: "a one-character sku", input: { sku: "A" }, field: "sku" },
      { title: "a negative stock", input: { stock: -1 }, field: "stock" },
      {
        title: "an unknown categoryId",
        input: { categoryId: Buffer.from("Category:999999").toString("base64") },
        field: "categoryId",
      },
      { title: "a malformed categoryId", input: { categoryId: "nonsense" }, field: "categoryId" },
    ];

    for (const { title, input, field } of cases) {
      it(`refuses ${title} (field ${field})`, async () => {
        const sku = typeof input.sku === "string" ? input.sku : nextSku("BAD");
        const result = await expectNothingWritten(() =>
          mutate(CREATE_PRODUCT, { name: "Valid name", price: "5.00", currency: "EUR", ...input, sku }),
        );
        expect(result.__typename).toBe("ValidationError");
        expect(result.code).toBe("BAD_USER_INPUT");
        expect(fields(result)).toEqual([field]);
        expect(result.message).toContain(field);
        expect(result.product).toBeUndefined();
        if (!input.sku) expect(await productBySku(sku)).toBeNull();
      });
    }

    it("reports every invalid field at once", async () => {
      const result = await expectNothingWritten(() =>
        mutate(CREATE_PRODUCT, { sku: "has space", name: "", price: "-3", currency: "XYZ", stock: -5 }),
      );
      expect(result.__typename).toBe("ValidationError");
      expect(fields(result)).toEqual(["currency", "name", "price", "sku", "stock"]);
      for (const error of result.fieldErrors) expect(error.message).not.toBe("");
    });
  });

  it("refuses a duplicate sku with a ConflictError on field sku", async () => {
    const original = await createProduct({ sku: "DUP-1" });
    const result = await expectNothingWritten(() =>
      mutate(CREATE_PRODUCT, { sku: "DUP-1", name: "Copy", price: "1.00", currency: "EUR" }),
    );
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "sku" });
    expect((await productBySku("DUP-1"))?.id).toBe(original.id);
    expect((await readProduct(original.id)).name).toBe(original.name);
  });

  it("refuses a sku differing only by case with a ConflictError", async () => {
    await createProduct({ sku: "CASE-DUP" });
    const result = await expectNothingWritten(() =>
      mutate(CREATE_PRODUCT, { sku: "case-dup", name: "Copy", price: "1.00", currency: "EUR" }),
    );
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "sku" });
  });

  describe("malformed input is a standard GraphQL error and writes nothing", () => {
    it("refuses a price sent as a number in variables", async () => {
      const sku = nextSku("NUM");
      const body = await expectNothingWritten(() =>
        admin.graphql(CREATE_PRODUCT, { input: { sku, name: "Numeric", price: 12.5, currency: "EUR" } }),
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.message).toMatch(/Decimal/);
      expect(await productBySku(sku)).toBeNull();
    });

    it("refuses a price written as a number literal", async () => {
      const body = await expectNothingWritten(() =>
        admin.graphql(`mutation {
          createProduct(input: { sku: "LIT-1", name: "Literal", price: 12.5, currency: "EUR" }) { __typename }
        }`),
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.message).toMatch(/Decimal/);
      expect(await productBySku("LIT-1")).toBeNull();
    });

    it("refuses input without a required field", async () => {
      const sku = nextSku("MISSING");
      const body = await expectNothingWritten(() =>
        admin.graphql(CREATE_PRODUCT, { input: { sku, price: "1.00", currency: "EUR" } }),
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.message).toMatch(/name/);
      expect(await productBySku(sku)).toBeNull();
    });

    it("refuses an unknown status", async () => {
      const body = await expectNothingWritten(() =>
        admin.graphql(CREATE_PRODUCT, {
          input: { sku: nextSku(), name: "X", price: "1.00", currency: "EUR", status: "SOLD" },
        }),
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.message).toMatch(/ProductStatus/);
    });
  });
});
