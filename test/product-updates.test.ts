import { beforeAll, describe, expect, it } from "vitest";
import { createCategory } from "./helpers/fixtures.ts";
import { CREATE_PRODUCT, UPDATE_PRODUCT } from "./helpers/operations.ts";
import { fields, nextSku, productWritesOf } from "./helpers/product-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// updateProduct: it changes exactly the fields given, within the rules of the product's currency.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { mutate, readProduct, newProduct, expectNothingWritten, productBySku } = productWritesOf(admin);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let kitchen: { id: string; name: string };
let garden: { id: string; name: string };

beforeAll(async () => {
  kitchen = { id: await createCategory(admin, "Kitchen"), name: "Kitchen" };
  garden = { id: await createCategory(admin, "Garden"), name: "Garden" };
});

describe("updateProduct", () => {
  it("changes only the fields given", async () => {
    const original = await newProduct({
      name: "Teapot",
      description: "Glass",
      price: "15.00",
      stock: 4,
      status: "ACTIVE",
      categoryId: kitchen.id,
    });
    const result = await mutate(UPDATE_PRODUCT, { id: original.id, name: "Large Teapot" });
    expect(result.__typename).toBe("UpdateProductPayload");
    const expected = { ...original, name: "Large Teapot", updatedAt: result.product.updatedAt };
    expect(result.product).toEqual(expected);
    expect(await readProduct(original.id)).toEqual(expected);

    const second = await mutate(UPDATE_PRODUCT, {
      id: original.id,
      price: "17.5",
      stock: 9,
      status: "ARCHIVED",
    });
    expect(second.product).toEqual({
      ...expected,
      price: { amount: "17.50", currency: "EUR" },
      stock: 9,
      status: "ARCHIVED",
      updatedAt: second.product.updatedAt,
    });
  });

  it("moves a product to another category, and categoryId: null removes it", async () => {
    const product = await newProduct({ categoryId: kitchen.id });
    const moved = await mutate(UPDATE_PRODUCT, { id: product.id, categoryId: garden.id });
    expect(moved.product.category).toEqual({ id: garden.id, name: "Garden" });

    const untouched = await mutate(UPDATE_PRODUCT, { id: product.id, name: "Renamed" });
    expect(untouched.product.category).toEqual({ id: garden.id, name: "Garden" });

    const cleared = await mutate(UPDATE_PRODUCT, { id: product.id, categoryId: null });
    expect(cleared.product.category).toBeNull();
    expect((await readProduct(product.id)).category).toBeNull();
  });

  it("refuses switching to JPY while the price has cents, and changes nothing", async () => {
    const product = await newProduct({ price: "12.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, {
      id: product.id,
      currency: "JPY",
      name: "Should not stick",
    });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["price"]);
    expect(await readProduct(product.id)).toEqual(product);
  });

  it("accepts switching to JPY together with a whole price", async () => {
    const product = await newProduct({ price: "12.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, currency: "JPY", price: "1800" });
    expect(result.product.price).toEqual({ amount: "1800", currency: "JPY" });
  });

  it("refuses a price with more decimals than the product's currency", async () => {
    const product = await newProduct({ price: "1200", currency: "JPY" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, price: "1200.5" });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["price"]);
    expect((await readProduct(product.id)).price).toEqual({ amount: "1200", currency: "JPY" });
  });

  it("refuses invalid fields with a ValidationError and changes nothing", async () => {
    const product = await newProduct();
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, name: "", stock: -1, sku: "bad sku" });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["name", "sku", "stock"]);
    expect(await readProduct(product.id)).toEqual(product);
  });

  it("refuses an unknown categoryId with a ValidationError on categoryId", async () => {
    const product = await newProduct({ categoryId: kitchen.id });
    const result = await mutate(UPDATE_PRODUCT, {
      id: product.id,
      categoryId: Buffer.from("Category:999999").toString("base64"),
    });
    expect(result.__typename).toBe("ValidationError");
    expect(result.fieldErrors).toEqual([
      {
        field: "categoryId",
        message: `category ${Buffer.from("Category:999999").toString("base64")} does not exist`,
      },
    ]);
    expect(await readProduct(product.id)).toEqual(product);
  });

  it("refuses taking another product's sku (in any case) with a ConflictError", async () => {
    const first = await newProduct({ sku: "TAKEN-1" });
    const second = await newProduct();
    for (const sku of ["TAKEN-1", "taken-1"]) {
      const result = await mutate(UPDATE_PRODUCT, { id: second.id, sku, name: "Should not stick" });
      expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "sku" });
    }
    expect(await readProduct(second.id)).toEqual(second);
    expect((await productBySku("TAKEN-1"))?.id).toBe(first.id);
  });

  it("keeps its own sku when set again, in another case", async () => {
    const product = await newProduct({ sku: "SELF-1" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, sku: "self-1" });
    expect(result.__typename).toBe("UpdateProductPayload");
    expect(result.product.sku).toBe("SELF-1");
  });

  it("answers NotFoundError for an unknown id", async () => {
    const unknown = Buffer.from("Product:999999").toString("base64");
    const result = await expectNothingWritten(() => mutate(UPDATE_PRODUCT, { id: unknown, name: "Ghost" }));
    expect(result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: unknown });
  });

  it("refuses a Category id as the product id with a ValidationError on id", async () => {
    const result = await mutate(UPDATE_PRODUCT, { id: kitchen.id, name: "Wrong type" });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["id"]);
    const category = await admin.graphql("query ($id: ID!) { category(id: $id) { name } }", {
      id: kitchen.id,
    });
    expect(category.data?.category.name).toBe("Kitchen");
  });

  it("advances updatedAt and keeps createdAt", async () => {
    const product = await newProduct();
    await sleep(20);
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, description: "Now described" });
    expect(result.product.description).toBe("Now described");
    expect(result.product.createdAt).toBe(product.createdAt);
    expect(Date.parse(result.product.updatedAt)).toBeGreaterThan(Date.parse(product.updatedAt));
  });
});

describe("the cost price follows the currency's minor unit, like the price", () => {
  const costOf = async (id: string) => {
    const body = await admin.graphql(
      "query ($id: ID!) { product(id: $id) { costPrice { amount currency } } }",
      {
        id,
      },
    );
    return body.data?.product.costPrice;
  };

  it.each([
    ["4.505", "EUR"],
    ["4.5", "JPY"],
  ])("refuses creating one with costPrice %s %s", async (costPrice, currency) => {
    const result = await expectNothingWritten(() =>
      mutate(CREATE_PRODUCT, { sku: nextSku(), name: "Cost", price: "5", costPrice, currency }),
    );
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["costPrice"]);
  });

  it("refuses a cost price with more decimals than the product's currency on update", async () => {
    const product = await newProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, costPrice: "4.505" });
    expect(result.fieldErrors).toEqual([
      { field: "costPrice", message: "has more decimals than EUR allows" },
    ]);
    expect(await costOf(product.id)).toEqual({ amount: "4.50", currency: "EUR" });
  });

  it("refuses switching to JPY while the cost price has cents, even with a whole price", async () => {
    const product = await newProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, currency: "JPY", price: "1800" });
    expect(fields(result)).toEqual(["costPrice"]);
    expect(await readProduct(product.id)).toEqual(product);
    expect(await costOf(product.id)).toEqual({ amount: "4.50", currency: "EUR" });
  });

  it("accepts switching to JPY with whole amounts, or with the cost price cleared", async () => {
    const whole = await newProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    await mutate(UPDATE_PRODUCT, { id: whole.id, currency: "JPY", price: "1800", costPrice: "650" });
    expect(await costOf(whole.id)).toEqual({ amount: "650", currency: "JPY" });
    const cleared = await newProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    await mutate(UPDATE_PRODUCT, { id: cleared.id, currency: "JPY", price: "1800", costPrice: null });
    expect(await costOf(cleared.id)).toBeNull();
  });
});
