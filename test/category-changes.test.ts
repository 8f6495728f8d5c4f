import { describe, expect, it } from "vitest";
import { byName, categoryWritesOf, fields, smallTree, unknownCategoryId } from "./helpers/category-writes.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer } from "./helpers/server.ts";

// updateCategory and deleteCategory: renaming, moving within the tree, and deleting only what is empty.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const {
  known,
  createCategory,
  updateCategory,
  deleteCategory,
  readCategory,
  categoryCount,
  expectNothingWritten,
} = categoryWritesOf(admin);

const tree = smallTree(createCategory);

describe("updateCategory", () => {
  it("renames a category and keeps its slug and parent", async () => {
    const category = await createCategory("Lighting", { parentId: tree.home.id });
    const result = await updateCategory({ id: category.id, name: "Lights" });
    expect(result.__typename).toBe("UpdateCategoryPayload");
    expect(result.category).toMatchObject({
      id: category.id,
      name: "Lights",
      slug: "lighting",
      parent: { id: tree.home.id },
    });
    expect((await readCategory(category.id)).name).toBe("Lights");
  });

  it("changes the slug, lower-cased", async () => {
    const category = await createCategory("Rugs");
    const result = await updateCategory({ id: category.id, slug: "Floor-Rugs" });
    expect(result.category.slug).toBe("floor-rugs");
  });

  it("moves a category under another parent", async () => {
    const category = await createCategory("Grills", { parentId: tree.home.id });
    const result = await updateCategory({ id: category.id, parentId: tree.outdoors.id });
    expect(result.category.parent).toEqual({ id: tree.outdoors.id, name: "Outdoors" });
    expect((await readCategory(tree.outdoors.id)).children).toContainEqual({
      id: category.id,
      name: "Grills",
    });
    expect((await readCategory(tree.home.id)).children).not.toContainEqual({
      id: category.id,
      name: "Grills",
    });
  });

  it("makes a category top-level with parentId: null", async () => {
    const category = await createCategory("Patio", { parentId: tree.outdoors.id });
    const result = await updateCategory({ id: category.id, parentId: null });
    expect(result.category.parent).toBeNull();
    const top = await admin.graphql(
      "{ categories(first: 100, topLevelOnly: true) { edges { node { id } } } }",
    );
    expect(top.data?.categories.edges.map((edge: any) => edge.node.id)).toContain(category.id);
  });

  it("leaves the parent alone when parentId is not given", async () => {
    const result = await updateCategory({ id: tree.cookware.id, name: "Cookware" });
    expect(result.category.parent).toEqual({ id: tree.kitchen.id, name: "Kitchen" });
  });

  it("refuses moving a category under itself", async () => {
    const result = await updateCategory({ id: tree.kitchen.id, parentId: tree.kitchen.id });
    expect(result).toMatchObject({ __typename: "ValidationError", code: "BAD_USER_INPUT" });
    expect(fields(result)).toEqual(["parentId"]);
    expect((await readCategory(tree.kitchen.id)).parent).toEqual({ id: tree.home.id, name: "Home" });
  });

  it("refuses moving a category under one of its descendants", async () => {
    for (const descendant of [tree.kitchen, tree.cookware]) {
      const result = await updateCategory({
        id: tree.home.id,
        parentId: descendant.id,
        name: "Should not stick",
      });
      expect(result.__typename).toBe("ValidationError");
      expect(fields(result)).toEqual(["parentId"]);
    }
    const read = await readCategory(tree.home.id);
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
    const result = await updateCategory({ id: tree.outdoors.id, parentId: unknownCategoryId });
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
    await createProduct(admin, { name: "Stocked item", categoryId: category.id });
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
