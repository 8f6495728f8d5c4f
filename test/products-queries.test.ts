import { beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");

// ---------------------------------------------------------------------------------------------
// Fixtures: a 3-level category tree plus a second root, and products with deliberate ties
// (three named "Widget", five priced at 10 EUR) so the id tie-breaker matters.

type CategoryKey = "electronics" | "computers" | "laptops" | "garden";

type ProductSpec = {
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  stock: number;
  status: "DRAFT" | "ACTIVE" | "ARCHIVED";
  category: CategoryKey | null;
};

type Fixture = ProductSpec & {
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
  spec("MUG-SALE", "Discount Mug", "50% off while_stock lasts", "4.00", "EUR", 9, "ACTIVE", null),
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

const categoryIds = {} as Record<CategoryKey, string>;
const fixtures: Fixture[] = [];

/** "12.5" → 12_500_000n, to order prices exactly as amounts. */
function toMicros(decimal: string): bigint {
  const [whole = "0", fraction = ""] = decimal.split(".");
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
}

/** The category and every category below it, from the fixture tree. */
function subtree(root: CategoryKey): CategoryKey[] {
  const found: CategoryKey[] = [root];
  for (let index = 0; index < found.length; index += 1) {
    for (const category of categoryTree) {
      if (category.parent === found[index]) found.push(category.key);
    }
  }
  return found;
}

const ids = (list: Fixture[]) => list.map((fixture) => fixture.id);
/** Default order is oldest first with id as tie-breaker, i.e. creation order. */
const inCreationOrder = (list: Fixture[]) => ids([...list].sort((a, b) => a.seq - b.seq));

beforeAll(async () => {
  for (const category of categoryTree) {
    const body = await admin.graphql(
      `mutation ($input: CreateCategoryInput!) {
        createCategory(input: $input) {
          __typename
          ... on CreateCategoryPayload { category { id } }
          ... on Error { message }
        }
      }`,
      { input: { name: category.name, parentId: category.parent ? categoryIds[category.parent] : null } },
    );
    const result = body.data?.createCategory;
    if (result?.__typename !== "CreateCategoryPayload") {
      throw new Error(`fixture category ${category.name}: ${JSON.stringify(body)}`);
    }
    categoryIds[category.key] = result.category.id;
  }
  for (const [seq, product] of productSpecs.entries()) {
    const body = await admin.graphql(
      `mutation ($input: CreateProductInput!) {
        createProduct(input: $input) {
          __typename
          ... on CreateProductPayload { product { id createdAt } }
          ... on Error { message }
        }
      }`,
      {
        input: {
          sku: product.sku,
          name: product.name,
          description: product.description,
          price: product.price,
          currency: product.currency,
          stock: product.stock,
          status: product.status,
          categoryId: product.category ? categoryIds[product.category] : null,
        },
      },
    );
    const result = body.data?.createProduct;
    if (result?.__typename !== "CreateProductPayload") {
      throw new Error(`fixture product ${product.sku}: ${JSON.stringify(body)}`);
    }
    fixtures.push({
      ...product,
      seq,
      id: result.product.id,
      micros: toMicros(product.price),
      createdAt: Date.parse(result.product.createdAt),
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Connection helpers

const PRODUCTS_PAGE = `
  query ($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $orderBy: ProductOrder) {
    products(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

type PageArgs = {
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
  filter?: Record<string, unknown>;
  orderBy?: { field: string; direction?: string };
};

type Page = {
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
async function walkForward(pageSize: number, args: Omit<PageArgs, "first" | "after"> = {}): Promise<Page[]> {
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
async function walkBackward(pageSize: number, args: Omit<PageArgs, "last" | "before"> = {}): Promise<Page[]> {
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

// ---------------------------------------------------------------------------------------------

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

describe("products connection: forward pagination", () => {
  it("counts every product in totalCount", async () => {
    const page = await productsPage({ first: 1 });
    expect(page.totalCount).toBe(fixtures.length);
  });

  it("without arguments lists oldest first", async () => {
    const body = await admin.graphql("{ products { edges { node { id } } } }");
    expect(body.data?.products.edges.map((edge: any) => edge.node.id)).toEqual(inCreationOrder(fixtures));
  });

  it("walks every product exactly once, in order, with first/after", async () => {
    const pages = await walkForward(3);
    expect(pages.flatMap((page) => page.ids)).toEqual(inCreationOrder(fixtures));
    expect(pages).toHaveLength(Math.ceil(fixtures.length / 3));
    for (const page of pages) expect(page.totalCount).toBe(fixtures.length);
  });

  it("reports hasNextPage/hasPreviousPage on the first, middle and last page", async () => {
    const pages = await walkForward(4);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, index) => {
      expect(page.pageInfo.hasPreviousPage, `page ${index}`).toBe(index > 0);
      expect(page.pageInfo.hasNextPage, `page ${index}`).toBe(index < pages.length - 1);
      expect(page.pageInfo.startCursor).toBe(page.cursors[0]);
      expect(page.pageInfo.endCursor).toBe(page.cursors.at(-1));
    });
  });

  it("answers an empty page for first: 0", async () => {
    const page = await productsPage({ first: 0 });
    expect(page.ids).toEqual([]);
    expect(page.totalCount).toBe(fixtures.length);
    expect(page.pageInfo.startCursor).toBeNull();
    expect(page.pageInfo.endCursor).toBeNull();
  });

  it("answers an empty last page after the last cursor", async () => {
    const all = await productsPage({ first: 100 });
    const page = await productsPage({ first: 5, after: all.cursors.at(-1) });
    expect(page.ids).toEqual([]);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.totalCount).toBe(fixtures.length);
  });
});

describe("products connection: backward pagination", () => {
  it("walks from the end with last/before; the pages joined equal the ordered list", async () => {
    const pages = await walkBackward(3);
    const joined = [...pages].reverse().flatMap((page) => page.ids);
    expect(joined).toEqual(inCreationOrder(fixtures));
    expect(pages[0]?.ids).toEqual(inCreationOrder(fixtures).slice(-3));
    pages.forEach((page, index) => {
      expect(page.pageInfo.hasPreviousPage, `page ${index}`).toBe(index < pages.length - 1);
      expect(page.pageInfo.hasNextPage, `page ${index}`).toBe(index > 0);
    });
  });

  it("gives only the remaining rows when last is larger than what is left", async () => {
    const all = await productsPage({ first: 100 });
    const page = await productsPage({ last: 10, before: all.cursors[2] });
    expect(page.ids).toEqual(all.ids.slice(0, 2));
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it("walks backwards across ties in a custom order without skipping or repeating", async () => {
    const orderBy = { field: "PRICE", direction: "ASC" };
    const expected = ids([...fixtures].sort((a, b) => compareBigInt(a.micros, b.micros) || a.seq - b.seq));
    const pages = await walkBackward(2, { orderBy });
    expect([...pages].reverse().flatMap((page) => page.ids)).toEqual(expected);
  });
});

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe("products connection: ordering", () => {
  const keys: Record<string, (a: Fixture, b: Fixture) => number> = {
    NAME: (a, b) => compareText(a.name, b.name),
    PRICE: (a, b) => compareBigInt(a.micros, b.micros),
    CREATED_AT: (a, b) => a.createdAt - b.createdAt,
  };

  function expectedOrder(field: string, direction: "ASC" | "DESC"): string[] {
    const compare = keys[field] as (a: Fixture, b: Fixture) => number;
    const sign = direction === "ASC" ? 1 : -1;
    return ids([...fixtures].sort((a, b) => sign * (compare(a, b) || a.seq - b.seq)));
  }

  it("has ties to break: three products share a name and five share a price", () => {
    expect(fixtures.filter((fixture) => fixture.name === "Widget")).toHaveLength(3);
    expect(fixtures.filter((fixture) => fixture.micros === 10_000_000n)).toHaveLength(5);
  });

  for (const field of ["NAME", "PRICE", "CREATED_AT"]) {
    for (const direction of ["ASC", "DESC"] as const) {
      it(`orders by ${field} ${direction} with id as tie-breaker in the same direction`, async () => {
        const expected = expectedOrder(field, direction);
        const single = await productsPage({ first: 100, orderBy: { field, direction } });
        expect(single.ids).toEqual(expected);
      });

      it(`pages of 2 by ${field} ${direction} neither skip nor repeat across ties`, async () => {
        const expected = expectedOrder(field, direction);
        const pages = await walkForward(2, { orderBy: { field, direction } });
        expect(pages.flatMap((page) => page.ids)).toEqual(expected);
      });
    }
  }

  it("defaults the direction to ASC", async () => {
    const page = await productsPage({ first: 100, orderBy: { field: "NAME" } });
    expect(page.ids).toEqual(expectedOrder("NAME", "ASC"));
  });
});

describe("products connection: filters", () => {
  function matching(predicate: (fixture: Fixture) => boolean) {
    return inCreationOrder(fixtures.filter(predicate));
  }

  function contains(fixture: Fixture, text: string) {
    const needle = text.toLowerCase();
    return fixture.name.toLowerCase().includes(needle) || fixture.description.toLowerCase().includes(needle);
  }

  it("search matches the name or the description, ignoring ASCII case", async () => {
    for (const search of ["kettle", "KETTLE", "laptop", "Widget", "metre"]) {
      const expected = matching((fixture) => contains(fixture, search));
      expect(expected.length, search).toBeGreaterThan(0);
      const page = await filtered({ search });
      expect(page.ids, search).toEqual(expected);
      expect(page.totalCount, search).toBe(expected.length);
    }
  });

  // SQL LIKE would read "%" and "_" as wildcards; the search must find them literally.
  it('search treats "%" and "_" as literal characters, not wildcards', async () => {
    for (const search of ["%", "_", "0%", "e_s"]) {
      const expected = matching((fixture) => contains(fixture, search));
      expect(expected.length, search).toBeLessThan(fixtures.length);
      const page = await filtered({ search });
      expect(page.ids, search).toEqual(expected);
    }
  });

  it("refuses a search over 500 characters with BAD_USER_INPUT on filter.search", async () => {
    expect((await filtered({ search: "a".repeat(500) })).totalCount).toBe(0);
    for (const length of [501, 60_000]) {
      const body = await admin.graphql(PRODUCTS_PAGE, { filter: { search: "a".repeat(length) } });
      expect(body.data?.products ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.extensions?.fieldErrors).toEqual([
        { field: "filter.search", message: "must be at most 500 characters" },
      ]);
    }
  });

  it("search with no match gives an empty connection", async () => {
    const page = await filtered({ search: "no such thing anywhere" });
    expect(page.ids).toEqual([]);
    expect(page.totalCount).toBe(0);
  });

  it("categoryId alone matches only products directly in that category", async () => {
    const expected = matching((fixture) => fixture.category === "electronics");
    const page = await filtered({ categoryId: categoryIds.electronics });
    expect(page.ids).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it("categoryId with includeSubcategories matches the whole subtree", async () => {
    for (const root of ["electronics", "computers", "laptops"] as const) {
      const tree = subtree(root);
      const expected = matching((fixture) => fixture.category !== null && tree.includes(fixture.category));
      const page = await filtered({ categoryId: categoryIds[root], includeSubcategories: true });
      expect(page.ids, root).toEqual(expected);
      expect(page.totalCount, root).toBe(expected.length);
    }
    // The subtree really is wider than the category itself.
    expect(subtree("electronics")).toHaveLength(3);
  });

  it("price range is inclusive at both ends", async () => {
    const min = toMicros("10.00");
    const max = toMicros("24.99");
    const expected = matching((fixture) => fixture.micros >= min && fixture.micros <= max);
    const page = await filtered({ price: { min: "10.00", max: "24.99" } });
    expect(page.ids).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
    expect(fixtures.some((fixture) => fixture.micros === min)).toBe(true);
    expect(fixtures.some((fixture) => fixture.micros === max)).toBe(true);
  });

  it("price range with only min or only max", async () => {
    const onlyMin = await filtered({ price: { min: "999.99" } });
    expect(onlyMin.ids).toEqual(matching((fixture) => fixture.micros >= toMicros("999.99")));
    const onlyMax = await filtered({ price: { max: "7.5" } });
    expect(onlyMax.ids).toEqual(matching((fixture) => fixture.micros <= toMicros("7.5")));
    expect(onlyMax.totalCount).toBe(onlyMax.ids.length);
  });

  it("inStock true and false split the catalog by stock > 0", async () => {
    const inStock = await filtered({ inStock: true });
    expect(inStock.ids).toEqual(matching((fixture) => fixture.stock > 0));
    expect(inStock.totalCount).toBe(inStock.ids.length);
    const outOfStock = await filtered({ inStock: false });
    expect(outOfStock.ids).toEqual(matching((fixture) => fixture.stock === 0));
    expect(outOfStock.totalCount).toBe(outOfStock.ids.length);
  });

  it("status matches any of the listed statuses", async () => {
    for (const status of [["ACTIVE"], ["DRAFT"], ["ACTIVE", "ARCHIVED"]]) {
      const expected = matching((fixture) => status.includes(fixture.status));
      const page = await filtered({ status });
      expect(page.ids, status.join()).toEqual(expected);
      expect(page.totalCount, status.join()).toBe(expected.length);
    }
  });

  it("accepts a status list repeating one status thousands of times", async () => {
    const status = [...Array.from({ length: 3000 }, () => "DRAFT"), "ARCHIVED"];
    const expected = matching((fixture) => fixture.status !== "ACTIVE");
    const page = await filtered({ status });
    expect(page.ids).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it("combines every filter with AND", async () => {
    const tree = subtree("electronics");
    const expected = matching(
      (fixture) =>
        fixture.category !== null &&
        tree.includes(fixture.category) &&
        fixture.stock > 0 &&
        fixture.status === "ACTIVE" &&
        fixture.micros <= toMicros("100") &&
        contains(fixture, "e"),
    );
    expect(expected.length).toBeGreaterThan(0);
    const page = await filtered({
      categoryId: categoryIds.electronics,
      includeSubcategories: true,
      inStock: true,
      status: ["ACTIVE"],
      price: { max: "100" },
      search: "e",
    });
    expect(page.ids).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it("paginates a filtered connection, with totalCount of the filter", async () => {
    const expected = matching((fixture) => fixture.stock === 0);
    const pages = await walkForward(2, { filter: { inStock: false } });
    expect(pages.flatMap((page) => page.ids)).toEqual(expected);
    for (const page of pages) expect(page.totalCount).toBe(expected.length);
  });

  async function rawProducts(filter: string) {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ products(filter: ${filter}) { totalCount edges { node { id } } } }` }),
    });
    return { status: response.status, body: await response.json() };
  }

  it("refuses a malformed categoryId with BAD_USER_INPUT, not a 500", async () => {
    const { status, body } = await rawProducts('{ categoryId: "garbage" }');
    expect(status).toBeLessThan(500);
    expect(body.data?.products ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a product id as categoryId with BAD_USER_INPUT", async () => {
    const body = await admin.graphql(PRODUCTS_PAGE, { first: 5, filter: { categoryId: fixtures[0]?.id } });
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a price bound beyond any amount with BAD_USER_INPUT, not a database overflow", async () => {
    for (const price of [{ min: "99999999999999999999999999" }, { max: "-99999999999999999999999999" }]) {
      const body = await admin.graphql(PRODUCTS_PAGE, { filter: { price } });
      expect(body.data?.products ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toMatch(/filter\.price\.(min|max): must be between/);
    }
  });

  it('refuses price min "abc" with a GraphQL error, not a 500', async () => {
    const { status, body } = await rawProducts('{ price: { min: "abc" } }');
    expect(status).toBeLessThan(500);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(/Decimal/);

    const viaVariables = await admin.graphql(PRODUCTS_PAGE, { first: 5, filter: { price: { min: "abc" } } });
    expect(viaVariables.data ?? null).toBeNull();
    expect(viaVariables.errors?.[0]?.message).toMatch(/Decimal/);
  });
});

describe("page-size cap", () => {
  it("refuses first: 101 with BAD_USER_INPUT naming the maximum", async () => {
    const body = await admin.graphql(PRODUCTS_PAGE, { first: 101 });
    expect(body.data?.products ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/100/);
  });

  it("refuses last: 101 with BAD_USER_INPUT naming the maximum", async () => {
    const body = await admin.graphql(PRODUCTS_PAGE, { last: 101 });
    expect(body.data?.products ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/100/);
  });

  it("accepts first: 100", async () => {
    const page = await productsPage({ first: 100 });
    expect(page.ids).toEqual(inCreationOrder(fixtures));
  });

  // Pothos makes these checks itself; the error masking gives them the code every other input error has.
  it.each([
    ["a negative first", { first: -1 }, /first/],
    ["a negative last", { last: -1 }, /last/],
    ["a malformed after cursor", { after: "garbage" }, /not a valid cursor/],
    [
      "a malformed before cursor",
      { last: 2, before: Buffer.from("nonsense").toString("base64") },
      /not a valid cursor/,
    ],
    // Cursors in Pothos's own format, of types no list here uses: they used to reach the database.
    ["a forged string cursor", { after: Buffer.from("GPC:S:abc").toString("base64") }, /not a valid cursor/],
    [
      "a forged JSON cursor",
      { first: 2, after: Buffer.from('GPC:J:{"id":1}').toString("base64") },
      /not a valid cursor/,
    ],
    [
      "a forged fractional cursor",
      { last: 2, before: Buffer.from("GPC:N:1.5").toString("base64") },
      /not a valid cursor/,
    ],
    ["last together with after", { last: 2, after: "x" }, /after.*last/],
  ])("refuses %s with BAD_USER_INPUT", async (_name, variables, message) => {
    const body = await admin.graphql(PRODUCTS_PAGE, variables);
    expect(body.data?.products ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it("refuses Category.products(first: 101) too", async () => {
    const body = await admin.graphql(
      "query ($id: ID!) { category(id: $id) { products(first: 101) { totalCount } } }",
      { id: categoryIds.electronics },
    );
    expect(body.data?.category ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/100/);
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
