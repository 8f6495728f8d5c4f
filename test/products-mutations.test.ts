import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");

// ---------------------------------------------------------------------------------------------
// Helpers

const PRODUCT_FIELDS = `
  id sku name description stock status createdAt updatedAt
  price { amount currency }
  category { id name }
`;

const CREATE_PRODUCT = `
  mutation ($input: CreateProductInput!) {
    createProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on CreateProductPayload { product { ${PRODUCT_FIELDS} } }
    }
  }
`;

const UPDATE_PRODUCT = `
  mutation ($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on UpdateProductPayload { product { ${PRODUCT_FIELDS} } }
    }
  }
`;

const DELETE_PRODUCT = `
  mutation ($input: DeleteProductInput!) {
    deleteProduct(input: $input) {
      ${ERROR_FIELDS}
      ... on DeleteProductPayload { deletedProductId }
    }
  }
`;

const ADJUST_STOCK = `
  mutation ($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      ${ERROR_FIELDS}
      ... on InsufficientStockError { available requested }
      ... on AdjustStockPayload { product { id stock } }
    }
  }
`;

const PRODUCT = `query ($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`;

let skuCounter = 0;
/** A fresh, valid sku for each fixture, so tests do not collide. */
function nextSku(prefix = "SKU") {
  skuCounter += 1;
  return `${prefix}-${skuCounter}`;
}

async function mutate(query: string, input: Record<string, unknown>) {
  const body = await admin.graphql(query, { input });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return Object.values(body.data ?? {})[0] as Record<string, any>;
}

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

async function createCategory(name: string) {
  const body = await admin.graphql(
    `mutation ($input: CreateCategoryInput!) {
      createCategory(input: $input) { __typename ... on CreateCategoryPayload { category { id name } } }
    }`,
    { input: { name } },
  );
  expect(body.data?.createCategory.__typename).toBe("CreateCategoryPayload");
  return body.data?.createCategory.category as { id: string; name: string };
}

async function readProduct(id: string) {
  const body = await admin.graphql(PRODUCT, { id });
  expect(body.errors).toBeUndefined();
  return body.data?.product;
}

async function productCount(): Promise<number> {
  const body = await admin.graphql("{ products(first: 0) { totalCount } }");
  return body.data?.products.totalCount;
}

/** Runs a request that must write nothing: the catalog's product count is the same afterwards. */
async function expectNothingWritten<T>(request: () => Promise<T>): Promise<T> {
  const before = await productCount();
  const result = await request();
  expect(await productCount()).toBe(before);
  return result;
}

async function productBySku(sku: string) {
  const body = await admin.graphql("query ($sku: String!) { productBySku(sku: $sku) { id } }", { sku });
  return body.data?.productBySku;
}

const fields = (result: Record<string, any>) =>
  (result.fieldErrors as { field: string }[]).map((error) => error.field).sort();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let kitchen: { id: string; name: string };
let garden: { id: string; name: string };

beforeAll(async () => {
  kitchen = await createCategory("Kitchen");
  garden = await createCategory("Garden");
});

// ---------------------------------------------------------------------------------------------

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

describe("updateProduct", () => {
  it("changes only the fields given", async () => {
    const original = await createProduct({
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
    const product = await createProduct({ categoryId: kitchen.id });
    const moved = await mutate(UPDATE_PRODUCT, { id: product.id, categoryId: garden.id });
    expect(moved.product.category).toEqual({ id: garden.id, name: "Garden" });

    const untouched = await mutate(UPDATE_PRODUCT, { id: product.id, name: "Renamed" });
    expect(untouched.product.category).toEqual({ id: garden.id, name: "Garden" });

    const cleared = await mutate(UPDATE_PRODUCT, { id: product.id, categoryId: null });
    expect(cleared.product.category).toBeNull();
    expect((await readProduct(product.id)).category).toBeNull();
  });

  it("refuses switching to JPY while the price has cents, and changes nothing", async () => {
    const product = await createProduct({ price: "12.50", currency: "EUR" });
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
    const product = await createProduct({ price: "12.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, currency: "JPY", price: "1800" });
    expect(result.product.price).toEqual({ amount: "1800", currency: "JPY" });
  });

  it("refuses a price with more decimals than the product's currency", async () => {
    const product = await createProduct({ price: "1200", currency: "JPY" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, price: "1200.5" });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["price"]);
    expect((await readProduct(product.id)).price).toEqual({ amount: "1200", currency: "JPY" });
  });

  it("refuses invalid fields with a ValidationError and changes nothing", async () => {
    const product = await createProduct();
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, name: "", stock: -1, sku: "bad sku" });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["name", "sku", "stock"]);
    expect(await readProduct(product.id)).toEqual(product);
  });

  it("refuses an unknown categoryId with a ValidationError on categoryId", async () => {
    const product = await createProduct({ categoryId: kitchen.id });
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
    const first = await createProduct({ sku: "TAKEN-1" });
    const second = await createProduct();
    for (const sku of ["TAKEN-1", "taken-1"]) {
      const result = await mutate(UPDATE_PRODUCT, { id: second.id, sku, name: "Should not stick" });
      expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "sku" });
    }
    expect(await readProduct(second.id)).toEqual(second);
    expect((await productBySku("TAKEN-1"))?.id).toBe(first.id);
  });

  it("keeps its own sku when set again, in another case", async () => {
    const product = await createProduct({ sku: "SELF-1" });
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
    const product = await createProduct();
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
    const product = await createProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, costPrice: "4.505" });
    expect(result.fieldErrors).toEqual([
      { field: "costPrice", message: "has more decimals than EUR allows" },
    ]);
    expect(await costOf(product.id)).toEqual({ amount: "4.50", currency: "EUR" });
  });

  it("refuses switching to JPY while the cost price has cents, even with a whole price", async () => {
    const product = await createProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    const result = await mutate(UPDATE_PRODUCT, { id: product.id, currency: "JPY", price: "1800" });
    expect(fields(result)).toEqual(["costPrice"]);
    expect(await readProduct(product.id)).toEqual(product);
    expect(await costOf(product.id)).toEqual({ amount: "4.50", currency: "EUR" });
  });

  it("accepts switching to JPY with whole amounts, or with the cost price cleared", async () => {
    const whole = await createProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    await mutate(UPDATE_PRODUCT, { id: whole.id, currency: "JPY", price: "1800", costPrice: "650" });
    expect(await costOf(whole.id)).toEqual({ amount: "650", currency: "JPY" });
    const cleared = await createProduct({ price: "12.50", costPrice: "4.50", currency: "EUR" });
    await mutate(UPDATE_PRODUCT, { id: cleared.id, currency: "JPY", price: "1800", costPrice: null });
    expect(await costOf(cleared.id)).toBeNull();
  });
});

describe("deleteProduct", () => {
  it("deletes a product and answers its id", async () => {
    const product = await createProduct({ sku: "GONE-1" });
    const before = await productCount();
    const result = await mutate(DELETE_PRODUCT, { id: product.id });
    expect(result).toEqual({ __typename: "DeleteProductPayload", deletedProductId: product.id });
    expect(await productCount()).toBe(before - 1);
    expect(await readProduct(product.id)).toBeNull();
    expect(await productBySku("GONE-1")).toBeNull();
  });

  it("answers NotFoundError when deleting it again", async () => {
    const product = await createProduct();
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

describe("adjustStock", () => {
  async function stockOf(id: string): Promise<number> {
    return (await readProduct(id)).stock;
  }

  it("adds and removes units", async () => {
    const product = await createProduct({ stock: 3 });
    const added = await mutate(ADJUST_STOCK, { productId: product.id, delta: 5 });
    expect(added).toEqual({ __typename: "AdjustStockPayload", product: { id: product.id, stock: 8 } });
    const removed = await mutate(ADJUST_STOCK, { productId: product.id, delta: -2 });
    expect(removed.product).toEqual({ id: product.id, stock: 6 });
    expect(await stockOf(product.id)).toBe(6);
  });

  it("may take stock to exactly zero", async () => {
    const product = await createProduct({ stock: 4 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: -4 });
    expect(result.product.stock).toBe(0);
  });

  it("refuses delta 0 with a ValidationError on delta", async () => {
    const product = await createProduct({ stock: 2 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: 0 });
    expect(result).toMatchObject({ __typename: "ValidationError", code: "BAD_USER_INPUT" });
    expect(fields(result)).toEqual(["delta"]);
    expect(await stockOf(product.id)).toBe(2);
  });

  it("refuses taking stock past 1,000,000,000 with a ValidationError on delta and leaves it unchanged", async () => {
    const product = await createProduct({ stock: 10 });
    const result = await mutate(ADJUST_STOCK, { productId: product.id, delta: 999_999_991 });
    expect(result.fieldErrors).toEqual([{ field: "delta", message: "would take stock past 1000000000" }]);
    const exactly = await mutate(ADJUST_STOCK, { productId: product.id, delta: 999_999_990 });
    expect(exactly.product.stock).toBe(1_000_000_000);
  });

  it("refuses going below zero with InsufficientStockError and leaves stock unchanged", async () => {
    const product = await createProduct({ stock: 6 });
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
    const product = await createProduct({ stock: 10 });
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

describe("search follows the product's current name and description", () => {
  async function skusFound(search: string): Promise<string[]> {
    const body = await admin.graphql(
      "query ($search: String!) { products(first: 100, filter: { search: $search }) { edges { node { sku } } } }",
      { search },
    );
    expect(body.errors).toBeUndefined();
    return body.data?.products.edges.map((edge: any) => edge.node.sku);
  }

  it("finds a product by its new name after updateProduct, and no longer by the old one", async () => {
    const product = await createProduct({ name: "Quokka lamp", description: "bright" });
    expect(await skusFound("quokka")).toEqual([product.sku]);
    const updated = await mutate(UPDATE_PRODUCT, { id: product.id, name: "Wombat lamp" });
    expect(updated.__typename).toBe("UpdateProductPayload");
    expect(await skusFound("quokka")).toEqual([]);
    expect(await skusFound("WOMBAT")).toEqual([product.sku]);
    // A description change alone keeps the name searchable.
    await mutate(UPDATE_PRODUCT, { id: product.id, description: "now dimmable" });
    expect(await skusFound("wombat")).toEqual([product.sku]);
    expect(await skusFound("dimmable")).toEqual([product.sku]);
  });

  it("ignores case beyond ASCII, and never matches across name and description", async () => {
    const product = await createProduct({ name: "Éclair tin", description: "Ölmühle edition" });
    expect(await skusFound("éclair")).toEqual([product.sku]);
    expect(await skusFound("ÖLMÜHLE")).toEqual([product.sku]);
    expect(await skusFound("tinöl")).toEqual([]);
  });
});
