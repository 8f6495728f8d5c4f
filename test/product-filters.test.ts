import { describe, expect, it } from "vitest";
import {
  type Fixture,
  inCreationOrder,
  PRODUCTS_PAGE,
  productCatalog,
  subtree,
  toMicros,
} from "./helpers/product-catalog.ts";
import { startTestServer } from "./helpers/server.ts";

// The products connection's filters: search, category (with or without its subtree), price,
// stock and status, alone and together, and the filters it refuses.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { categoryIds, fixtures, walkForward, filtered } = productCatalog(admin);

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

  // SQL LIKE would read "%" and "_" as wildcards, and PostgreSQL's LIKE "\" as an escape (a
  // pattern ending in one is an error there); the search must find all three literally.
  it('search treats "%", "_" and "\\" as literal characters, not wildcards or escapes', async () => {
    for (const search of ["%", "_", "0%", "e_s", "\\", "\\s", "see \\"]) {
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
