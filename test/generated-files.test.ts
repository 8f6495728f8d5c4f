import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databasePath } from "./paths.ts";

function prisma(args: string[], databaseFile: string): string {
  return execFileSync("npx", ["prisma", ...args], {
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
    encoding: "utf8",
    stdio: "pipe",
  });
}

/** Tables, columns, indexes and foreign keys of a SQLite file, in a comparable form. */
function describeDatabase(file: string) {
  const database = new Database(file, { readonly: true });
  try {
    const tables = database
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name",
      )
      .all() as { name: string }[];
    return tables.map(({ name }) => ({
      name,
      // By name, not position: a migration appends a column that the schema lists earlier.
      columns: (database.prepare(`PRAGMA table_info("${name}")`).all() as { cid: number; name: string }[])
        .map(({ cid: _position, ...column }) => column)
        .sort((a, b) => a.name.localeCompare(b.name)),
      indexes: (database.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number }[])
        .map((index) => ({
          name: index.name,
          unique: index.unique,
          columns: (database.prepare(`PRAGMA index_info("${index.name}")`).all() as { cid: number }[]).map(
            ({ cid: _position, ...column }) => column,
          ),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: database.prepare(`PRAGMA foreign_key_list("${name}")`).all(),
    }));
  } finally {
    database.close();
  }
}

describe("generated files", () => {
  it("schema.graphql matches the schema the code builds (else run `npm run schema:print`)", () => {
    // The same script that writes the file compares it, so the test and the generator cannot disagree.
    const check = () =>
      execFileSync("npx", ["tsx", "scripts/print-schema.ts", "--check"], { stdio: "pipe", encoding: "utf8" });
    expect(check).not.toThrow();
  });

  it("schema.graphql lists types in sorted order", () => {
    const committed = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    const typeNames = [...committed.matchAll(/^(?:type|input|enum|union|interface|scalar) (\w+)/gm)].map(
      (match) => match[1],
    );
    expect(typeNames.length).toBeGreaterThan(10);
    expect(typeNames).toEqual([...typeNames].sort());
  });
});

describe("migrations", () => {
  const migrated = databasePath("migrated.db");
  const pushed = databasePath("pushed.db");

  it("apply to an empty database with `prisma migrate deploy`, offline, through the driver adapter", () => {
    const output = prisma(["migrate", "deploy"], migrated);
    expect(output).toContain("All migrations have been successfully applied");
    const file = migrated;
    const database = new Database(file, { readonly: true });
    const tables = database
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((row) => (row as { name: string }).name);
    const applied = database
      .prepare("SELECT COUNT(*) AS count FROM _prisma_migrations WHERE finished_at IS NOT NULL")
      .get();
    database.close();
    expect(tables).toEqual(["Category", "Product", "RefreshToken", "User", "_prisma_migrations"]);
    expect((applied as { count: number }).count).toBeGreaterThan(0);
  });

  it("build exactly the schema prisma/schema.prisma describes (a model change needs a migration)", () => {
    // `migrate diff --from-migrations` needs a shadow database, which fails through the SQLite
    // adapter on multi-statement migrations; comparing against `db push` checks the same thing.
    prisma(["db", "push", "--skip-generate"], pushed);
    expect(describeDatabase(migrated)).toEqual(describeDatabase(pushed));
  });
});
