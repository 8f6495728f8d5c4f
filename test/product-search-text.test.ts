import { describe, expect, it } from "vitest";
import { UPDATE_PRODUCT } from "./helpers/operations.ts";
import { productWritesOf } from "./helpers/product-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// The search text each write stores: products(filter: { search }) finds what the product is now.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { mutate, newProduct } = productWritesOf(admin);

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
    const product = await newProduct({ name: "Quokka lamp", description: "bright" });
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
    const product = await newProduct({ name: "Éclair tin", description: "Ölmühle edition" });
    expect(await skusFound("éclair")).toEqual([product.sku]);
    expect(await skusFound("ÖLMÜHLE")).toEqual([product.sku]);
    expect(await skusFound("tinöl")).toEqual([]);
  });
});
