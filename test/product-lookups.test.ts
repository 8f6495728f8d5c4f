import { describe, expect, it } from "vitest";
import { productCatalog } from "./helpers/product-catalog.ts";
import { startTestServer } from "./helpers/server.ts";

// Looking products up one at a time: by id, by sku, as nodes; and how their prices read.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { categoryIds, fixtures } = productCatalog(admin);

describe("single product lookups", () => {
  const PRODUCT = `query ($id: ID!) {
    product(id: $id) { id sku name description stock status price { amount currency } category { id name } }
  }`;

  it("finds a product by its global id with all its fields", async () => {
    const lamp = fixtures.find((fixture) => fixture.sku === "LAMP-1");
    const body = await admin.graphql(PRODUCT, { id: lamp?.id });
    expect(body.errors).toBeUndefined();
    expect(body.data?.product).toEqual({
      id: lamp?.id,
      sku: "LAMP-1",
      name: lamp?.name,
      description: lamp?.description,
      stock: lamp?.stock,
      status: lamp?.status,
      price: { amount: "10.00", currency: "EUR" },
      category: { id: categoryIds.computers, name: "Computers" },
    });
  });

  it("finds a product by sku whatever the case of the sku asked for", async () => {
    const mouse = fixtures.find((fixture) => fixture.sku === "MOUSE-1");
    for (const sku of ["MOUSE-1", "mouse-1", "MoUsE-1"]) {
      const body = await admin.graphql("query ($sku: String!) { productBySku(sku: $sku) { id sku } }", {
        sku,
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.productBySku).toEqual({ id: mouse?.id, sku: "MOUSE-1" });
    }
  });

  it("answers null for an unknown sku", async () => {
    const body = await admin.graphql('{ productBySku(sku: "NO-SUCH-SKU") { id } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.productBySku).toBeNull();
  });

  it("answers null for a well-formed id of no product", async () => {
    const unknown = Buffer.from("Product:999999").toString("base64");
    const body = await admin.graphql(PRODUCT, { id: unknown });
    expect(body.errors).toBeUndefined();
    expect(body.data?.product).toBeNull();
  });

  it("refuses a malformed id with BAD_USER_INPUT", async () => {
    const body = await admin.graphql(PRODUCT, { id: "not-a-global-id" });
    expect(body.data?.product ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/not a valid Product id/);
  });

  it("refuses the id of another type (a Category id) with BAD_USER_INPUT", async () => {
    const body = await admin.graphql(PRODUCT, { id: categoryIds.garden });
    expect(body.data?.product ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/not a valid Product id/);

    const handMade = Buffer.from("Category:1").toString("base64");
    const again = await admin.graphql(PRODUCT, { id: handMade });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("money", () => {
  const cases = [
    { sku: "LAMP-1", sent: "10.00", shown: "10.00", currency: "EUR" },
    { sku: "NOTE-A5", sent: "12.5", shown: "12.50", currency: "EUR" },
    { sku: "CABLE-C", sent: "10", shown: "10.00", currency: "EUR" },
    { sku: "TEA-SET", sent: "1200", shown: "1200", currency: "JPY" },
    { sku: "PERFUME", sent: "1.234", shown: "1.234", currency: "BHD" },
  ];

  for (const { sku, sent, shown, currency } of cases) {
    it(`shows ${sent} ${currency} as "${shown}"`, async () => {
      expect(fixtures.find((fixture) => fixture.sku === sku)?.price).toBe(sent);
      const body = await admin.graphql(
        "query ($sku: String!) { productBySku(sku: $sku) { price { amount currency } } }",
        { sku },
      );
      expect(body.data?.productBySku.price).toEqual({ amount: shown, currency });
    });
  }

  it('round-trips "12.50" EUR exactly through createProduct', async () => {
    const body = await admin.graphql(
      `mutation ($input: CreateProductInput!) {
        createProduct(input: $input) { ... on CreateProductPayload { product { id price { amount currency } } } }
      }`,
      { input: { sku: "MONEY-1250", name: "Money check", price: "12.50", currency: "EUR" } },
    );
    const created = body.data?.createProduct.product;
    expect(created.price).toEqual({ amount: "12.50", currency: "EUR" });
    const read = await admin.graphql("query ($id: ID!) { product(id: $id) { price { amount currency } } }", {
      id: created.id,
    });
    expect(read.data?.product.price).toEqual({ amount: "12.50", currency: "EUR" });
    // Keep the fixture list in step with the database for any later test.
    const deleted = await admin.graphql(
      "mutation ($id: ID!) { deleteProduct(input: { id: $id }) { __typename } }",
      { id: created.id },
    );
    expect(deleted.data?.deleteProduct.__typename).toBe("DeleteProductPayload");
  });
});

describe("node and nodes", () => {
  const NODE = `query ($id: ID!) {
    node(id: $id) { __typename id ... on Product { sku } ... on Category { name } }
  }`;

  it("resolves a Product by global id", async () => {
    const product = fixtures[3];
    const body = await admin.graphql(NODE, { id: product?.id });
    expect(body.data?.node).toEqual({ __typename: "Product", id: product?.id, sku: product?.sku });
  });

  it("resolves a Category by global id", async () => {
    const body = await admin.graphql(NODE, { id: categoryIds.laptops });
    expect(body.data?.node).toEqual({ __typename: "Category", id: categoryIds.laptops, name: "Laptops" });
  });

  it("resolves several nodes of both types, in the order asked", async () => {
    const product = fixtures[0];
    const body = await admin.graphql(
      `query ($ids: [ID!]!) {
        nodes(ids: $ids) { __typename id ... on Product { sku } ... on Category { name } }
      }`,
      { ids: [categoryIds.garden, product?.id] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes).toEqual([
      { __typename: "Category", id: categoryIds.garden, name: "Garden" },
      { __typename: "Product", id: product?.id, sku: product?.sku },
    ]);
  });

  it("answers null for an unknown product id", async () => {
    const body = await admin.graphql(NODE, { id: Buffer.from("Product:999999").toString("base64") });
    expect(body.data?.node).toBeNull();
  });

  it("answers 100 ids, and refuses 101 or many more with BAD_USER_INPUT rather than failing the query", async () => {
    const NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    const ids = (count: number) =>
      Array.from({ length: count }, (_, i) => Buffer.from(`Product:${i + 1}`).toString("base64"));
    const hundred = await server.graphql(NODES, { ids: ids(100) });
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data?.nodes).toHaveLength(100);
    for (const count of [101, 2000]) {
      const body = await server.graphql(NODES, { ids: ids(count) });
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toMatch(/at most 100 ids/);
    }
  });

  it("refuses a malformed id with BAD_USER_INPUT", async () => {
    const body = await admin.graphql(NODE, { id: "not-a-global-id" });
    expect(body.data?.node ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/Invalid global ID/);
  });
});
