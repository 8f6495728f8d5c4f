import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");

// ---------------------------------------------------------------------------------------------
// Helpers

const CATEGORY_FIELDS = "id name slug createdAt updatedAt parent { id name } children { id name }";

const CREATE_CATEGORY = `
  mutation ($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on CreateCategoryPayload { category { ${CATEGORY_FIELDS} } }
    }
  }
`;

const UPDATE_CATEGORY = `
  mutation ($input: UpdateCategoryInput!) {
    updateCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on UpdateCategoryPayload { category { ${CATEGORY_FIELDS} } }
    }
  }
`;

const DELETE_CATEGORY = `
  mutation ($input: DeleteCategoryInput!) {
    deleteCategory(input: $input) {
      ${ERROR_FIELDS}
      ... on DeleteCategoryPayload { deletedCategoryId }
    }
  }
`;

const CATEGORY = `query ($id: ID!) { category(id: $id) { ${CATEGORY_FIELDS} } }`;

type Category = { id: string; name: string; slug: string; parent: { id: string } | null };

/**
 * Every category this file has created and not deleted, kept in step with the mutations, so the
 * expected content of the categories connection always comes from the data the tests made.
 */
const known = new Map<string, { name: string; parentId: string | null }>();

async function mutate(query: string, input: Record<string, unknown>) {
  const body = await admin.graphql(query, { input });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return Object.values(body.data ?? {})[0] as Record<string, any>;
}

async function tryCreateCategory(input: Record<string, unknown>) {
  const result = await mutate(CREATE_CATEGORY, input);
  if (result.__typename === "CreateCategoryPayload") {
    known.set(result.category.id, {
      name: result.category.name,
      parentId: result.category.parent?.id ?? null,
    });
  }
  return result;
}

async function createCategory(name: string, more: Record<string, unknown> = {}): Promise<Category> {
  const result = await tryCreateCategory({ name, ...more });
  expect(result.__typename, JSON.stringify(result)).toBe("CreateCategoryPayload");
  return result.category;
}

async function updateCategory(input: Record<string, unknown>) {
  const result = await mutate(UPDATE_CATEGORY, input);
  if (result.__typename === "UpdateCategoryPayload") {
    known.set(result.category.id, {
      name: result.category.name,
      parentId: result.category.parent?.id ?? null,
    });
  }
  return result;
}

async function deleteCategory(id: string) {
  const result = await mutate(DELETE_CATEGORY, { id });
  if (result.__typename === "DeleteCategoryPayload") known.delete(id);
  return result;
}

async function readCategory(id: string) {
  const body = await admin.graphql(CATEGORY, { id });
  expect(body.errors).toBeUndefined();
  return body.data?.category;
}

async function categoryCount(): Promise<number> {
  const body = await admin.graphql("{ categories(first: 0) { totalCount } }");
  return body.data?.categories.totalCount;
}

/** Runs a request that must write nothing: the number of categories is the same afterwards. */
async function expectNothingWritten<T>(request: () => Promise<T>): Promise<T> {
  const before = await categoryCount();
  const result = await request();
  expect(await categoryCount()).toBe(before);
  return result;
}

async function createProduct(name: string, categoryId: string) {
  const body = await admin.graphql(
    `mutation ($input: CreateProductInput!) {
      createProduct(input: $input) { __typename ... on CreateProductPayload { product { id } } }
    }`,
    {
      input: {
        sku: `${name.replace(/\W+/g, "-")}-${Math.random().toString(36).slice(2, 8)}`,
        name,
        price: "1.00",
        currency: "EUR",
        categoryId,
      },
    },
  );
  expect(body.data?.createProduct.__typename).toBe("CreateProductPayload");
  return body.data?.createProduct.product.id as string;
}

/** Category ids in the connection's order: by name (binary comparison; names are unique). */
function byName(entries: [string, { name: string }][]): string[] {
  return entries.sort(([, a], [, b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(([id]) => id);
}

const fields = (result: Record<string, any>) =>
  (result.fieldErrors as { field: string }[]).map((error) => error.field).sort();

const unknownCategoryId = Buffer.from("Category:999999").toString("base64");

// A small tree: Home > Kitchen > Cookware, plus a second root, Outdoors.
let home: Category;
let kitchen: Category;
let cookware: Category;
let outdoors: Category;

beforeAll(async () => {
  home = await createCategory("Home");
  kitchen = await createCategory("Kitchen", { parentId: home.id });
  cookware = await createCategory("Cookware", { parentId: kitchen.id });
  outdoors = await createCategory("Outdoors");
});

// ---------------------------------------------------------------------------------------------

describe("createCategory", () => {
  it("derives the slug from the name when it is omitted", async () => {
    const category = await createCategory("Kitchen & Dining");
    expect(category).toMatchObject({
      name: "Kitchen & Dining",
      slug: "kitchen-dining",
      parent: null,
      children: [],
    });
  });

  it("derives a slug without accents", async () => {
    const category = await createCategory("Café Crème");
    expect(category.slug).toBe("cafe-creme");
  });

  it("lower-cases an explicit slug", async () => {
    const category = await createCategory("Garden Tools", { slug: "Garden-Tools" });
    expect(category.slug).toBe("garden-tools");
  });

  it("places a category under its parent", async () => {
    expect(kitchen.parent).toEqual({ id: home.id, name: "Home" });
    const parent = await readCategory(home.id);
    expect(parent.children).toContainEqual({ id: kitchen.id, name: "Kitchen" });
  });

  describe("refuses invalid input with a ValidationError and writes nothing", () => {
    it("refuses an empty name", async () => {
      const result = await expectNothingWritten(() => tryCreateCategory({ name: "", slug: "empty-name" }));
      expect(result).toMatchObject({ __typename: "ValidationError", code: "BAD_USER_INPUT" });
      expect(fields(result)).toEqual(["name"]);
    });

    it("refuses a blank name without a slug", async () => {
      const result = await expectNothingWritten(() => tryCreateCategory({ name: "   " }));
      expect(result.__typename).toBe("ValidationError");
      expect(fields(result)).toContain("name");
    });

    for (const slug of ["Has Space", "double--dash", "-leading", "trailing-", "ünïcode"]) {
      it(`refuses the slug "${slug}"`, async () => {
        const result = await expectNothingWritten(() =>
          tryCreateCategory({ name: `Bad slug ${slug}`, slug }),
        );
        expect(result.__typename).toBe("ValidationError");
        expect(fields(result)).toEqual(["slug"]);
        const bySlug = await admin.graphql("query ($slug: String!) { categoryBySlug(slug: $slug) { id } }", {
          slug: slug.toLowerCase(),
        });
        expect(bySlug.data?.categoryBySlug).toBeNull();
      });
    }

    it("refuses an unknown parentId", async () => {
      const result = await expectNothingWritten(() =>
        tryCreateCategory({ name: "Orphan", parentId: unknownCategoryId }),
      );
      expect(result.__typename).toBe("ValidationError");
      expect(result.fieldErrors).toEqual([
        { field: "parentId", message: `category ${unknownCategoryId} does not exist` },
      ]);
    });

    it("refuses a malformed parentId", async () => {
      const result = await expectNothingWritten(() =>
        tryCreateCategory({ name: "Orphan", parentId: "nope" }),
      );
      expect(result.__typename).toBe("ValidationError");
      expect(fields(result)).toEqual(["parentId"]);
    });
  });

  it("refuses a duplicate name with a ConflictError on field name", async () => {
    const result = await expectNothingWritten(() => tryCreateCategory({ name: "Home", slug: "home-again" }));
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "name" });
  });

  it("refuses a duplicate name whose derived slug is also taken with a ConflictError", async () => {
    const result = await expectNothingWritten(() => tryCreateCategory({ name: "Outdoors" }));
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT" });
    expect(["name", "slug"]).toContain(result.field);
  });

  it("refuses a duplicate slug with a ConflictError on field slug", async () => {
    const result = await expectNothingWritten(() =>
      tryCreateCategory({ name: "Another Kitchen", slug: kitchen.slug.toUpperCase() }),
    );
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "slug" });
  });
});

describe("category queries", () => {
  it("finds a category by id, with parent and children", async () => {
    const category = await readCategory(kitchen.id);
    expect(category).toMatchObject({
      id: kitchen.id,
      name: "Kitchen",
      slug: "kitchen",
      parent: { id: home.id, name: "Home" },
      children: [{ id: cookware.id, name: "Cookware" }],
    });
  });

  it("answers null for an unknown id", async () => {
    expect(await readCategory(unknownCategoryId)).toBeNull();
  });

  it("refuses a Product id as category id with BAD_USER_INPUT", async () => {
    const productId = await createProduct("Id type check", outdoors.id);
    const body = await admin.graphql(CATEGORY, { id: productId });
    expect(body.data?.category ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("finds a category by slug, and null for an unknown slug", async () => {
    const query = "query ($slug: String!) { categoryBySlug(slug: $slug) { id name } }";
    const found = await admin.graphql(query, { slug: cookware.slug });
    expect(found.data?.categoryBySlug).toEqual({ id: cookware.id, name: "Cookware" });
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
    bakeware = await createCategory("Bakeware", { parentId: kitchen.id });
    for (const name of ["Loaf Tin", "Muffin Tray", "Cake Ring", "Baking Sheet", "Pie Dish"]) {
      productIds.push(await createProduct(name, bakeware.id));
    }
    // Products elsewhere, also in the parent, must not show up.
    await createProduct("Ladle", kitchen.id);
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
    const body = await admin.graphql(PRODUCTS, { id: cookware.id, first: 10 });
    expect(body.data?.category.products).toMatchObject({ totalCount: 0, edges: [] });
  });
});

describe("updateCategory", () => {
  it("renames a category and keeps its slug and parent", async () => {
    const category = await createCategory("Lighting", { parentId: home.id });
    const result = await updateCategory({ id: category.id, name: "Lights" });
    expect(result.__typename).toBe("UpdateCategoryPayload");
    expect(result.category).toMatchObject({
      id: category.id,
      name: "Lights",
      slug: "lighting",
      parent: { id: home.id },
    });
    expect((await readCategory(category.id)).name).toBe("Lights");
  });

  it("changes the slug, lower-cased", async () => {
    const category = await createCategory("Rugs");
    const result = await updateCategory({ id: category.id, slug: "Floor-Rugs" });
    expect(result.category.slug).toBe("floor-rugs");
  });

  it("moves a category under another parent", async () => {
    const category = await createCategory("Grills", { parentId: home.id });
    const result = await updateCategory({ id: category.id, parentId: outdoors.id });
    expect(result.category.parent).toEqual({ id: outdoors.id, name: "Outdoors" });
    expect((await readCategory(outdoors.id)).children).toContainEqual({ id: category.id, name: "Grills" });
    expect((await readCategory(home.id)).children).not.toContainEqual({ id: category.id, name: "Grills" });
  });

  it("makes a category top-level with parentId: null", async () => {
    const category = await createCategory("Patio", { parentId: outdoors.id });
    const result = await updateCategory({ id: category.id, parentId: null });
    expect(result.category.parent).toBeNull();
    const top = await admin.graphql(
      "{ categories(first: 100, topLevelOnly: true) { edges { node { id } } } }",
    );
    expect(top.data?.categories.edges.map((edge: any) => edge.node.id)).toContain(category.id);
  });

  it("leaves the parent alone when parentId is not given", async () => {
    const result = await updateCategory({ id: cookware.id, name: "Cookware" });
    expect(result.category.parent).toEqual({ id: kitchen.id, name: "Kitchen" });
  });

  it("refuses moving a category under itself", async () => {
    const result = await updateCategory({ id: kitchen.id, parentId: kitchen.id });
    expect(result).toMatchObject({ __typename: "ValidationError", code: "BAD_USER_INPUT" });
    expect(fields(result)).toEqual(["parentId"]);
    expect((await readCategory(kitchen.id)).parent).toEqual({ id: home.id, name: "Home" });
  });

  it("refuses moving a category under one of its descendants", async () => {
    for (const descendant of [kitchen, cookware]) {
      const result = await updateCategory({ id: home.id, parentId: descendant.id, name: "Should not stick" });
      expect(result.__typename).toBe("ValidationError");
      expect(fields(result)).toEqual(["parentId"]);
    }
    const read = await readCategory(home.id);
    expect(read.parent).toBeNull();
    expect(read.name).toBe("Home");
  });

  it("refuses a duplicate name or slug with a ConflictError", async () => {
    const category = await createCategory("Bathroom");
    const byName = await updateCategory({ id: category.id, name: "Home" });
    expect(byName).toMatchObject({ __typename: "ConflictError", field: "name" });
    const bySlug = await updateCategory({ id: category.id, slug: "kitchen" });
    expect(bySlug).toMatchObject({ __typename: "ConflictError", field: "slug" });
    expect(await readCategory(category.id)).toMatchObject({ name: "Bathroom", slug: "bathroom" });
  });

  it("refuses an unknown parentId with a ValidationError on parentId", async () => {
    const result = await updateCategory({ id: outdoors.id, parentId: unknownCategoryId });
    expect(result.__typename).toBe("ValidationError");
    expect(fields(result)).toEqual(["parentId"]);
  });

  it("answers NotFoundError for an unknown id", async () => {
    const result = await updateCategory({ id: unknownCategoryId, name: "Ghost" });
    expect(result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: unknownCategoryId });
  });
});

describe("deleteCategory", () => {
  it("refuses deleting a category that has products, and deletes nothing", async () => {
    const category = await createCategory("Stocked");
    await createProduct("Stocked item", category.id);
    const result = await expectNothingWritten(() => deleteCategory(category.id));
    expect(result).toMatchObject({
      __typename: "ConflictError",
      code: "CONFLICT",
      field: "id",
      message: "Category still has 1 product(s) and 0 subcategory(ies); move or delete them first",
    });
    expect(await readCategory(category.id)).not.toBeNull();
  });

  it("refuses deleting a category that has subcategories", async () => {
    const parent = await createCategory("Parent only");
    const child = await createCategory("Child only", { parentId: parent.id });
    const result = await expectNothingWritten(() => deleteCategory(parent.id));
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT" });
    expect((await readCategory(child.id)).parent).toEqual({ id: parent.id, name: "Parent only" });
  });

  it("deletes an empty category and answers its id", async () => {
    const category = await createCategory("Short Lived");
    const before = await categoryCount();
    const result = await deleteCategory(category.id);
    expect(result).toEqual({ __typename: "DeleteCategoryPayload", deletedCategoryId: category.id });
    expect(await categoryCount()).toBe(before - 1);
    expect(await readCategory(category.id)).toBeNull();
    const bySlug = await admin.graphql("query ($slug: String!) { categoryBySlug(slug: $slug) { id } }", {
      slug: category.slug,
    });
    expect(bySlug.data?.categoryBySlug).toBeNull();
  });

  it("answers NotFoundError for an unknown id, and for a category deleted already", async () => {
    const unknown = await expectNothingWritten(() => deleteCategory(unknownCategoryId));
    expect(unknown).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: unknownCategoryId });

    const category = await createCategory("Twice Deleted");
    await deleteCategory(category.id);
    const again = await deleteCategory(category.id);
    expect(again).toMatchObject({ __typename: "NotFoundError", id: category.id });
  });

  it("the categories connection no longer lists deleted categories", async () => {
    const body = await admin.graphql("{ categories(first: 100) { totalCount edges { node { id } } } }");
    expect(body.data?.categories.edges.map((edge: any) => edge.node.id)).toEqual(
      byName([...known.entries()]),
    );
    expect(body.data?.categories.totalCount).toBe(known.size);
  });
});
