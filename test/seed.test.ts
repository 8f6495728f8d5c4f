import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./helpers.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";

// prisma/seed.ts, run as `npm start` and `npm run db:seed` run it, against the database of a
// running server, whose answers over HTTP show what the seed wrote.

const run = promisify(execFile);
const server = startTestServer();
const admin = server.as("ADMIN");

async function seed(databaseUrl: string, args: string[] = [], environment: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "prisma/seed.ts", ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test", ...environment },
  });
  return stdout;
}

async function catalog() {
  const body = await admin.graphql(
    `{ products(first: 100) { totalCount edges { node { sku } } } categories(first: 100) { totalCount } }`,
  );
  expect(body.errors).toBeUndefined();
  const { products, categories } = body.data ?? {};
  return {
    products: products.totalCount as number,
    skus: (products.edges as { node: { sku: string } }[]).map((edge) => edge.node.sku),
    categories: categories.totalCount as number,
  };
}

// Slow: each run starts tsx and Prisma in a child process.
const SEED_TIMEOUT = 120_000;

describe("the sample catalog seed", () => {
  it(
    "fills an empty catalog, and adds nothing when run again",
    async () => {
      expect(await catalog()).toMatchObject({ products: 0, categories: 0 });
      expect(await seed(server.app.config.databaseUrl)).toMatch(/Seeded 7 categories and 50 products/);
      const first = await catalog();
      expect(first).toMatchObject({ products: 50, categories: 7 });
      expect(new Set(first.skus).size).toBe(50);

      await seed(server.app.config.databaseUrl);
      expect(await catalog()).toEqual(first);
    },
    SEED_TIMEOUT,
  );

  it(
    "builds a tree the subtree filter can read: Kitchen holds Cookware's and Knives' products",
    async () => {
      const body = await admin.graphql(`{ categoryBySlug(slug: "kitchen") { id children { slug } } }`);
      const kitchen = body.data?.categoryBySlug;
      expect(kitchen.children.map((child: { slug: string }) => child.slug).sort()).toEqual([
        "cookware",
        "knives",
      ]);
      const below = await admin.graphql(
        `query ($id: ID!) { products(first: 100, filter: { categoryId: $id, includeSubcategories: true }) {
          edges { node { sku } } } }`,
        { id: kitchen.id },
      );
      const prefixes = new Set(below.data?.products.edges.map((edge: any) => edge.node.sku.slice(0, 3)));
      expect([...prefixes].sort()).toEqual(["COO", "KIT", "KNI"]);
    },
    SEED_TIMEOUT,
  );

  it(
    "with --if-empty (npm start) leaves a catalog with products alone: a deleted product stays deleted",
    async () => {
      const { skus } = await catalog();
      const product = await admin.graphql(`query ($sku: String!) { productBySku(sku: $sku) { id } }`, {
        sku: skus[0],
      });
      const deleted = await admin.graphql(
        `mutation ($input: DeleteProductInput!) { deleteProduct(input: $input) { __typename } }`,
        { input: { id: product.data?.productBySku.id } },
      );
      expect(deleted.data?.deleteProduct.__typename).toBe("DeleteProductPayload");

      expect(await seed(server.app.config.databaseUrl, ["--if-empty"])).toMatch(/already has products/);
      expect((await catalog()).products).toBe(49);
    },
    SEED_TIMEOUT,
  );

  it(
    "with --if-empty writes nothing in production, even into an empty database",
    async () => {
      const file = databasePath("seed-production.db");
      copyFileSync(templateDatabasePath(), file);
      const output = await seed(`file:${file}`, ["--if-empty"], {
        NODE_ENV: "production",
        SECRET_KEY: "seed-test-secret-key-0123456789-abcdefgh",
      });
      expect(output).toMatch(/NODE_ENV=production/);
      const database = new Database(file, { readonly: true });
      const { count } = database.prepare(`SELECT COUNT(*) AS count FROM "Product"`).get() as {
        count: number;
      };
      database.close();
      expect(count).toBe(0);
    },
    SEED_TIMEOUT,
  );
});
