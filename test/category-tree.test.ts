import { readdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { createInTree, type TreePosition } from "../src/db/category-tree.ts";
import { testDatabaseProvider } from "./databases.ts";
import { createCategory, createProduct } from "./helpers/fixtures.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { startTestServer } from "./helpers/server.ts";
import { databasePath } from "./paths.ts";

// The subtree filter (products(filter: { categoryId, includeSubcategories: true })) reads the
// paths src/db/category-tree.ts keeps; these tests change the tree and check that it follows.

const server = startTestServer();
const admin = server.as("ADMIN");

async function graphql(query: string, variables: Record<string, unknown>) {
  const body = await admin.graphql(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return Object.values(body.data ?? {})[0] as Record<string, any>;
}

async function moveCategory(id: string, parentId: string | null) {
  return graphql(
    `mutation ($input: UpdateCategoryInput!) { updateCategory(input: $input) {
      ${ERROR_FIELDS} ... on UpdateCategoryPayload { category { parent { id } } } } }`,
    { input: { id, parentId } },
  );
}

/** The ids of the products in a category and every category below it, oldest first. */
async function inSubtree(categoryId: string): Promise<string[]> {
  const products = await graphql(
    `query ($categoryId: ID!) { products(first: 100, filter: { categoryId: $categoryId, includeSubcategories: true }) {
      totalCount edges { node { id } } } }`,
    { categoryId },
  );
  const ids = products.edges.map((edge: { node: { id: string } }) => edge.node.id);
  expect(products.totalCount).toBe(ids.length);
  return ids;
}

describe("the subtree filter follows the tree as it changes", () => {
  // A > Branch > Leaf > Twig, and B; a product in A, in Branch and in Twig.
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.a = await createCategory(admin, "Tree A");
    ids.b = await createCategory(admin, "Tree B");
    ids.branch = await createCategory(admin, "Branch", { parentId: ids.a });
    ids.leaf = await createCategory(admin, "Leaf", { parentId: ids.branch });
    ids.twig = await createCategory(admin, "Twig", { parentId: ids.leaf });
    ids.inA = await createProduct(admin, { name: "In A", categoryId: ids.a });
    ids.inBranch = await createProduct(admin, { name: "In Branch", categoryId: ids.branch });
    ids.inTwig = await createProduct(admin, { name: "In Twig", categoryId: ids.twig });
  });

  it("finds products at every depth below a category", async () => {
    expect(await inSubtree(ids.a as string)).toEqual([ids.inA, ids.inBranch, ids.inTwig]);
    expect(await inSubtree(ids.leaf as string)).toEqual([ids.inTwig]);
    expect(await inSubtree(ids.b as string)).toEqual([]);
  });

  it("moves a whole subtree: its products leave the old ancestors and join the new ones", async () => {
    expect((await moveCategory(ids.branch as string, ids.b as string)).category.parent).toEqual({
      id: ids.b,
    });
    expect(await inSubtree(ids.a as string)).toEqual([ids.inA]);
    expect(await inSubtree(ids.b as string)).toEqual([ids.inBranch, ids.inTwig]);
    expect(await inSubtree(ids.leaf as string)).toEqual([ids.inTwig]);

    expect((await moveCategory(ids.leaf as string, null)).category.parent).toBeNull();
    expect(await inSubtree(ids.b as string)).toEqual([ids.inBranch]);
    expect(await inSubtree(ids.leaf as string)).toEqual([ids.inTwig]);
  });

  it("still refuses a move below a category's own descendant after moves, changing nothing", async () => {
    await moveCategory(ids.leaf as string, ids.branch as string);
    const refused = await moveCategory(ids.b as string, ids.twig as string);
    expect(refused).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ field: "parentId" }] });
    expect(await inSubtree(ids.b as string)).toEqual([ids.inBranch, ids.inTwig]);
    expect(await inSubtree(ids.twig as string)).toEqual([ids.inTwig]);
  });

  it("does not mistake a category whose id merely starts with the same digits", async () => {
    // Paths read "/1/", "/12/", ...: "below 1" must not match a category 12.
    const created: string[] = [ids.a as string];
    for (let i = 0; i < 12; i++) created.push(await createCategory(admin, `Digits ${i}`));
    const number = (id: string) => Buffer.from(id, "base64").toString().split(":")[1] ?? "";
    const shorter = created.find((x) => created.some((y) => y !== x && number(y).startsWith(number(x))));
    const longer = created.find((y) => shorter && y !== shorter && number(y).startsWith(number(shorter)));
    expect(longer, "12 ids after the first must include one that starts with another's digits").toBeDefined();
    const product = await createProduct(admin, { name: "Digits product", categoryId: longer as string });
    expect(await inSubtree(shorter as string)).not.toContain(product);
    expect(await inSubtree(longer as string)).toEqual([product]);
  });
});

describe("concurrent moves", () => {
  it("leave every stored path equal to its parent's path plus its own id", async () => {
    const chain: string[] = [];
    for (let i = 0; i < 20; i++) chain.push(await createCategory(admin, `Chain ${i}`));
    // All at once: each category under the one before it.
    const moves = await Promise.all(chain.slice(1).map((id, i) => moveCategory(id, chain[i] as string)));
    expect(moves.map((move) => move.__typename)).toEqual(moves.map(() => "UpdateCategoryPayload"));
    const product = await createProduct(admin, { name: "End of the chain", categoryId: chain[19] as string });
    expect(await inSubtree(chain[0] as string)).toEqual([product]);

    await expectConsistentTree();
  });

  it("refuse one of two crossing moves (A under B, B under A), leaving no cycle, every time", async () => {
    for (let round = 0; round < 10; round++) {
      const a = await createCategory(admin, `Crossing A${round}`);
      const b = await createCategory(admin, `Crossing B${round}`);
      const moves = await Promise.all([moveCategory(a, b), moveCategory(b, a)]);
      // One is applied; the other then finds its new parent below itself.
      expect(moves.map((move) => move.__typename).sort()).toEqual([
        "UpdateCategoryPayload",
        "ValidationError",
      ]);
    }
    await expectConsistentTree();
  });

  it("keep a category created under a moving parent below it, at its new place", async () => {
    const top = await createCategory(admin, "Moving top");
    const parent = await createCategory(admin, "Moving parent");
    const [, child] = await Promise.all([
      moveCategory(parent, top),
      createCategory(admin, "Created while moving", { parentId: parent }),
    ]);
    const product = await createProduct(admin, {
      name: "Under the moved parent",
      categoryId: child as string,
    });
    expect(await inSubtree(top)).toEqual([product]);
    await expectConsistentTree();
  });
});

/** Every stored path is its parent's path plus its own id (no cycle, no stale path). */
async function expectConsistentTree() {
  const rows = await server.app.prisma.category.findMany({
    select: { id: true, parentId: true, path: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of rows) {
    const parentPath = row.parentId == null ? "/" : byId.get(row.parentId)?.path;
    expect(row.path, `category ${row.id}`).toBe(`${parentPath}${row.id}/`);
  }
}

describe("a subtree larger than SQLite's 999 bound values", () => {
  it("answers for a category with 1,500 categories below it, wide and deep", async () => {
    // Built with the same module the mutations use; 1,500 mutations over HTTP would only be slower.
    const root = await server.app.prisma.$transaction(async (transaction) => {
      const top = await createInTree(transaction, { name: "Big root", slug: "big-root" }, null);
      let parent: TreePosition = top;
      for (let i = 0; i < 1_500; i++) {
        const child = await createInTree(
          transaction,
          { name: `Big ${i}`, slug: `big-${i}` },
          i % 2 ? parent : top,
        );
        parent = child;
      }
      return { top, deepest: parent };
    });
    const globalId = (id: number) => Buffer.from(`Category:${id}`).toString("base64");
    const product = await createProduct(admin, { name: "Deep down", categoryId: globalId(root.deepest.id) });
    expect(await inSubtree(globalId(root.top.id))).toEqual([product]);
  });
});

// A migration of SQLite's history (PostgreSQL's started with paths in place).
describe.runIf(testDatabaseProvider() === "sqlite")(
  "the category_path migration (SQLite only: PostgreSQL history starts with paths)",
  () => {
    it("fills in the path of every category of an existing tree", () => {
      const directories = readdirSync("prisma/migrations", { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      const migration = (name: string) => readFileSync(`prisma/migrations/${name}/migration.sql`, "utf8");
      const pathMigration = directories.findIndex((name) => name.endsWith("_category_path"));
      expect(pathMigration).toBeGreaterThan(0);

      const database = new Database(databasePath("category-path-migration.db"));
      try {
        for (const name of directories.slice(0, pathMigration)) database.exec(migration(name));
        // 1 > 2 > 4, 1 > 3, and 5 on its own, inserted children first to not depend on id order.
        const insert = database.prepare(
          `INSERT INTO "Category" ("id", "name", "slug", "parentId", "updatedAt") VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)`,
        );
        database.pragma("foreign_keys = OFF");
        for (const [id, parentId] of [
          [4, 2],
          [3, 1],
          [2, 1],
          [1, null],
          [5, null],
        ] as const) {
          insert.run(id, `C${id}`, `c${id}`, parentId);
        }
        database.exec(migration(directories[pathMigration] as string));
        const paths = database.prepare(`SELECT "id", "path" FROM "Category" ORDER BY "id"`).all();
        expect(paths).toEqual([
          { id: 1, path: "/1/" },
          { id: 2, path: "/1/2/" },
          { id: 3, path: "/1/3/" },
          { id: 4, path: "/1/2/4/" },
          { id: 5, path: "/5/" },
        ]);
      } finally {
        database.close();
      }
    });
  },
);
