import { beforeAll, describe, expect, it } from "vitest";
import {
  byName,
  type Category,
  categoryWritesOf,
  smallTree,
  unknownCategoryId,
} from "./helpers/category-writes.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { CATEGORY } from "./helpers/operations.ts";
import { startTestServer } from "./helpers/server.ts";

// Reading categories: by id and slug, the categories connection and a category's products.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { known, createCategory, readCategory } = categoryWritesOf(admin);

const tree = smallTree(createCategory);

describe("category queries", () => {
  it("finds a category by id, with parent and children", async () => {
    const category = await readCategory(tree.kitchen.id);
    expect(category).toMatchObject({
      id: tree.kitchen.id,
      name: "Kitchen",
      slug: "kitchen",
      parent: { id: tree.home.id, name: "Home" },
      children: [{ id: tree.cookware.id, name: "Cookware" }],
    });
  });

  it("answers null for an unknown id", async () => {
    expect(await readCategory(unknownCategoryId)).toBeNull();
  });

  it("refuses a Product id as category id with BAD_USER_INPUT", async () => {
    const productId = await createProduct(admin, { name: "Id type check", categoryId: tree.outdoors.id });
    const body = await admin.graphql(CATEGORY, { id: productId });
    expect(body.data?.category ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("finds a category by slug, and null for an unknown slug", async () => {
    const query = "query ($slug: String!) { categoryBySlug(slug: $slug) { id name } }";
    const found = await admin.graphql(query, { slug: tree.cookware.slug });
    expect(found.data?.categoryBySlug).toEqual({ id: tree.cookware.id, name: "Cookware" });
    const missing = await admin.graphql(query, { slug: "no-such-slug" });
    expect(missing.errors).toBeUndefined();
    expect(missing.data?.categoryBySlug).toBeNull();
  });

  it("lists children by name", async () => {
    const parent = await createCategory("Tools");
    const names = ["Saws", "Drills", "Hammers", "Clamps"];
    for (const name of names) await createCategory(name, { parentId: parent.id });
    const read = await readCategory(parent.id);
    expect(read.children.map((child: { name: string }) => child.name)).toEqual([...names].sort());
  });
});

describe("categories connection", () => {
  const CATEGORIES = `
    query ($first: Int, $after: String, $topLevelOnly: Boolean) {
      categories(first: $first, after: $after, topLevelOnly: $topLevelOnly) {
        totalCount
        edges { cursor node { id name parent { id } } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  `;

  async function categoriesPage(variables: Record<string, unknown>) {
    const body = await admin.graphql(CATEGORIES, variables);
    expect(body.errors).toBeUndefined();
    return body.data?.categories;
  }

  it("lists every category by name with totalCount", async () => {
    const expected = byName([...known.entries()]);
    const page = await categoriesPage({ first: 100 });
    expect(page.edges.map((edge: any) => edge.node.id)).toEqual(expected);
    expect(page.totalCount).toBe(known.size);
  });

  it("topLevelOnly lists only categories without a parent", async () => {
    const expected = byName([...known.entries()].filter(([, category]) => category.parentId === null));
    expect(expected.length).toBeLessThan(known.size);
    const page = await categoriesPage({ first: 100, topLevelOnly: true });
    expect(page.edges.map((edge: any) => edge.node.id)).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
    for (const edge of page.edges) expect(edge.node.parent).toBeNull();
  });

  it("pages through every category exactly once, in order", async () => {
    const expected = byName([...known.entries()]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let index = 0; ; index += 1) {
      const page = await categoriesPage({ first: 3, after });
      seen.push(...page.edges.map((edge: any) => edge.node.id));
      expect(page.pageInfo.hasPreviousPage).toBe(index > 0);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});

describe("Category.products", () => {
  const PRODUCTS = `
    query ($id: ID!, $first: Int, $after: String) {
      category(id: $id) {
        products(first: $first, after: $after) {
          totalCount
          edges { node { id } }
          pageInfo { hasNextPage hasPreviousPage endCursor }
        }
      }
    }
  `;

  let bakeware: Category;
  const productIds: string[] = [];

  beforeAll(async () => {
    bakeware = await createCategory("Bakeware", { parentId: tree.kitchen.id });
    for (const name of ["Loaf Tin", "Muffin Tray", "Cake Ring", "Baking Sheet", "Pie Dish"]) {
      productIds.push(await createProduct(admin, { name, categoryId: bakeware.id }));
    }
    // Products elsewhere, also in the parent, must not show up.
    await createProduct(admin, { name: "Ladle", categoryId: tree.kitchen.id });
  });

  it("lists the category's own products, oldest first, with totalCount", async () => {
    const body = await admin.graphql(PRODUCTS, { id: bakeware.id, first: 100 });
    expect(body.errors).toBeUndefined();
    const connection = body.data?.category.products;
    expect(connection.edges.map((edge: any) => edge.node.id)).toEqual(productIds);
    expect(connection.totalCount).toBe(productIds.length);
  });

  it("pages through them with first/after", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let index = 0; ; index += 1) {
      const body = await admin.graphql(PRODUCTS, { id: bakeware.id, first: 2, after });
      const connection: any = body.data?.category.products;
      expect(connection.totalCount).toBe(productIds.length);
      expect(connection.edges.length).toBeLessThanOrEqual(2);
      expect(connection.pageInfo.hasPreviousPage).toBe(index > 0);
      seen.push(...connection.edges.map((edge: any) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(productIds);
  });

  it("is empty for a category without products", async () => {
    const body = await admin.graphql(PRODUCTS, { id: tree.cookware.id, first: 10 });
    expect(body.data?.category.products).toMatchObject({ totalCount: 0, edges: [] });
  });
});
