import { beforeAll, describe, expect, it } from "vitest";
import { type Category, categoryWritesOf, fields, unknownCategoryId } from "./helpers/category-writes.ts";
import { startTestServer } from "./helpers/server.ts";

// createCategory: the slug it derives or takes, the parent, and what it refuses without writing.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { tryCreateCategory, createCategory, readCategory, expectNothingWritten } = categoryWritesOf(admin);

// A small tree: Home > Kitchen > Cookware, plus a second root, Outdoors.
let home: Category;
let kitchen: Category;

beforeAll(async () => {
  home = await createCategory("Home");
  kitchen = await createCategory("Kitchen", { parentId: home.id });
  await createCategory("Cookware", { parentId: kitchen.id });
  await createCategory("Outdoors");
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
