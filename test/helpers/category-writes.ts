import { beforeAll, expect } from "vitest";
import { CATEGORY, CREATE_CATEGORY, DELETE_CATEGORY, UPDATE_CATEGORY } from "./operations.ts";
import type { TestClient } from "./server.ts";

// Running category mutations and reading back what they wrote, for the tests of categories. Each
// file keeps its own record of the categories it made, so the expected content of the categories
// connection always comes from the data the tests made.

export type Category = { id: string; name: string; slug: string; parent: { id: string } | null };

/** Category ids in the connection's order: by name (binary comparison; names are unique). */
export function byName(entries: [string, { name: string }][]): string[] {
  return entries.sort(([, a], [, b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(([id]) => id);
}

/** The fields a ValidationError names, sorted. */
export const fields = (result: Record<string, any>) =>
  (result.fieldErrors as { field: string }[]).map((error) => error.field).sort();

export const unknownCategoryId = Buffer.from("Category:999999").toString("base64");

/** The category operations, sent by `admin`, with the record of the categories they made. */
export function categoryWritesOf(admin: TestClient) {
  /**
   * Every category the test file has created and not deleted, kept in step with the mutations.
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

  /** createCategory, which must succeed: the category it answers. */
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

  return {
    known,
    tryCreateCategory,
    createCategory,
    updateCategory,
    deleteCategory,
    readCategory,
    categoryCount,
    expectNothingWritten,
  };
}

/**
 * A small tree, made before the file's tests: Home > Kitchen > Cookware, plus a second root,
 * Outdoors. Its categories are there once the file's first test runs.
 */
export function smallTree(
  createCategory: (name: string, more?: Record<string, unknown>) => Promise<Category>,
) {
  const tree = {} as Record<"home" | "kitchen" | "cookware" | "outdoors", Category>;
  beforeAll(async () => {
    tree.home = await createCategory("Home");
    tree.kitchen = await createCategory("Kitchen", { parentId: tree.home.id });
    tree.cookware = await createCategory("Cookware", { parentId: tree.kitchen.id });
    tree.outdoors = await createCategory("Outdoors");
  });
  return tree;
}
