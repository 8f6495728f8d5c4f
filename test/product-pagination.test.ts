import { describe, expect, it } from "vitest";
import {
  compareBigInt,
  ids,
  inCreationOrder,
  PRODUCTS_PAGE,
  productCatalog,
} from "./helpers/product-catalog.ts";
import { startTestServer } from "./helpers/server.ts";

// Paging through the products connection, forwards and backwards, within the page-size cap.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { categoryIds, fixtures, productsPage, walkForward, walkBackward } = productCatalog(admin);

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
