import { expect } from "vitest";
import { createProduct } from "./fixtures.ts";
import { PRODUCT } from "./operations.ts";
import type { TestClient } from "./server.ts";

// Running product mutations and reading back what they wrote, for the tests of creating, updating,
// deleting and stocking products.

let skuCounter = 0;
/** A fresh, valid sku for each fixture, so tests do not collide. */
export function nextSku(prefix = "SKU") {
  skuCounter += 1;
  return `${prefix}-${skuCounter}`;
}

/** The fields a ValidationError names, sorted. */
export const fields = (result: Record<string, any>) =>
  (result.fieldErrors as { field: string }[]).map((error) => error.field).sort();

/** The product operations, sent by `admin`. */
export function productWritesOf(admin: TestClient) {
  /** Runs a mutation that answers a result union; the request itself must not fail. */
  async function mutate(query: string, input: Record<string, unknown>) {
    const body = await admin.graphql(query, { input });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return Object.values(body.data ?? {})[0] as Record<string, any>;
  }

  async function readProduct(id: string) {
    const body = await admin.graphql(PRODUCT, { id });
    expect(body.errors).toBeUndefined();
    return body.data?.product;
  }

  /** A product made by the shared fixture (createProduct), as stored: every field of PRODUCT. */
  async function newProduct(input: Record<string, unknown> = {}) {
    return readProduct(await createProduct(admin, input));
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

  return { mutate, readProduct, newProduct, productCount, expectNothingWritten, productBySku };
}
