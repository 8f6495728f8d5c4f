import { beforeAll, expect } from "vitest";
import { createCategory, createProduct } from "./fixtures.ts";
import type { TestClient } from "./server.ts";

// A catalog to query: a 3-level category tree plus a second root, and products with deliberate
// ties (three named "Widget", five priced at 10 EUR) so the id tie-breaker matters; and the
// products connection, paged forwards and backwards.

export type CategoryKey = "electronics" | "computers" | "laptops" | "garden";

export type ProductSpec = {
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  stock: number;
  status: "DRAFT" | "ACTIVE" | "ARCHIVED";
  category: CategoryKey | null;
};

export type Fixture = ProductSpec & {
  /** Creation order; products are created one after another, so this is also id order. */
  seq: number;
  id: string;
  micros: bigint;
  createdAt: number;
};

const categoryTree: { key: CategoryKey; name: string; parent: CategoryKey | null }[] = [
  { key: "electronics", name: "Electronics", parent: null },
  { key: "computers", name: "Computers", parent: "electronics" },
  { key: "laptops", name: "Laptops", parent: "computers" },
  { key: "garden", name: "Garden", parent: null },
];

const productSpecs: ProductSpec[] = [
  spec("W-1", "Widget", "A small blue widget", "10.00", "EUR", 5, "ACTIVE", "garden"),
  spec("KETTLE-1", "Steel Kettle", "Boils water fast", "24.99", "EUR", 0, "ACTIVE", null),
  spec("W-2", "Widget", "Same name, lower price", "7.50", "EUR", 0, "DRAFT", "electronics"),
  spec("LAP-PRO", "Laptop Pro", "A fast machine", "1499.00", "EUR", 3, "ACTIVE", "laptops"),
  spec("W-3", "Widget", "Third of its name", "10.00", "EUR", 12, "ARCHIVED", null),
  spec("LAMP-1", "Desk Lamp", "Warm light; no kettle included", "10.00", "EUR", 1, "ACTIVE", "computers"),
  spec("HOSE-20", "Garden Hose", "Twenty metres", "10.00", "EUR", 0, "DRAFT", "garden"),
  spec("MOUSE-1", "Mouse", "Wireless", "19.90", "EUR", 40, "ACTIVE", "computers"),
  spec("TEA-SET", "Tea Set", "Porcelain", "1200", "JPY", 2, "ACTIVE", null),
  spec("PERFUME", "Perfume", "Oud", "1.234", "BHD", 7, "DRAFT", null),
  spec("NOTE-A5", "Notebook", "Paper, dotted", "12.5", "EUR", 0, "ARCHIVED", "electronics"),
  spec("ULTRA-13", "Ultrabook", "Thin LAPTOP for travel", "999.99", "EUR", 0, "DRAFT", "laptops"),
  spec("CABLE-C", "Cable", "USB-C, one metre", "10", "EUR", 100, "ACTIVE", "electronics"),
  spec("APPLE-1", "Apple", "Fruit", "0.99", "EUR", 0, "ACTIVE", "garden"),
  spec("MUG-SALE", "Discount Mug", "50% off while_stock lasts, see \\sale", "4.00", "EUR", 9, "ACTIVE", null),
];

function spec(
  sku: string,
  name: string,
  description: string,
  price: string,
  currency: string,
  stock: number,
  status: ProductSpec["status"],
  category: CategoryKey | null,
): ProductSpec {
  return { sku, name, description, price, currency, stock, status, category };
}

/** "12.5" → 12_500_000n, to order prices exactly as amounts. */
export function toMicros(decimal: string): bigint {
  const [whole = "0", fraction = ""] = decimal.split(".");
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
}

/** The category and every category below it, from the fixture tree. */
export function subtree(root: CategoryKey): CategoryKey[] {
  const found: CategoryKey[] = [root];
  for (let index = 0; index < found.length; index += 1) {
    for (const category of categoryTree) {
      if (category.parent === found[index]) found.push(category.key);
    }
  }
  return found;
}

export const ids = (list: Fixture[]) => list.map((fixture) => fixture.id);
/** Default order is oldest first with id as tie-breaker, i.e. creation order. */
export const inCreationOrder = (list: Fixture[]) => ids([...list].sort((a, b) => a.seq - b.seq));

export function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const PRODUCTS_PAGE = `
  query ($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $orderBy: ProductOrder) {
    products(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

export type PageArgs = {
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
  filter?: Record<string, unknown>;
  orderBy?: { field: string; direction?: string };
};

export type Page = {
  totalCount: number;
  ids: string[];
  cursors: string[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};

/**
 * Creates the catalog through the API as `admin` before the file's tests, in order (so creation
 * order is id order); answers the created fixtures and the product connection's helpers.
 */
export function productCatalog(admin: TestClient) {
  const categoryIds = {} as Record<CategoryKey, string>;
  const fixtures: Fixture[] = [];

  beforeAll(async () => {
    for (const category of categoryTree) {
      categoryIds[category.key] = await createCategory(admin, category.name, {
        parentId: category.parent ? categoryIds[category.parent] : null,
      });
    }
    for (const [seq, product] of productSpecs.entries()) {
      const id = await createProduct(admin, {
        sku: product.sku,
        name: product.name,
        description: product.description,
        price: product.price,
        currency: product.currency,
        stock: product.stock,
        status: product.status,
        categoryId: product.category ? categoryIds[product.category] : null,
      });
      const read = await admin.graphql("query ($id: ID!) { product(id: $id) { createdAt } }", { id });
      fixtures.push({
        ...product,
        seq,
        id,
        micros: toMicros(product.price),
        createdAt: Date.parse(read.data?.product.createdAt),
      });
    }
  });

  async function productsPage(args: PageArgs): Promise<Page> {
    const body = await admin.graphql(PRODUCTS_PAGE, args);
    expect(body.errors).toBeUndefined();
    const connection = body.data?.products;
    return {
      totalCount: connection.totalCount,
      ids: connection.edges.map((edge: any) => edge.node.id),
      cursors: connection.edges.map((edge: any) => edge.cursor),
      pageInfo: connection.pageInfo,
    };
  }

  /** Follows endCursor from the start until hasNextPage is false. */
  async function walkForward(
    pageSize: number,
    args: Omit<PageArgs, "first" | "after"> = {},
  ): Promise<Page[]> {
    const pages: Page[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard += 1) {
      const page = await productsPage({ ...args, first: pageSize, after });
      pages.push(page);
      if (!page.pageInfo.hasNextPage) return pages;
      after = page.pageInfo.endCursor;
    }
    throw new Error("forward pagination did not end");
  }

  /** Follows startCursor from the end until hasPreviousPage is false. */
  async function walkBackward(
    pageSize: number,
    args: Omit<PageArgs, "last" | "before"> = {},
  ): Promise<Page[]> {
    const pages: Page[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 100; guard += 1) {
      const page = await productsPage({ ...args, last: pageSize, before });
      pages.push(page);
      if (!page.pageInfo.hasPreviousPage) return pages;
      before = page.pageInfo.startCursor;
    }
    throw new Error("backward pagination did not end");
  }

  async function filtered(filter: Record<string, unknown>) {
    return productsPage({ first: 100, filter });
  }

  return { categoryIds, fixtures, productsPage, walkForward, walkBackward, filtered };
}
