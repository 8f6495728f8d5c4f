import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databasePath, templateDatabasePath } from "./paths.ts";
import { prismaCli } from "./prisma-cli.ts";

const run = promisify(execFile);
// These tests start a script or Prisma's WebAssembly engine in a child process, which on a loaded CI
// machine can take far longer than the default timeout.
const childProcessTimeout = 120_000;

/** Tables, columns, indexes and foreign keys of a SQLite database, in a comparable form. */
function describeDatabase(database: Database.Database) {
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
}

describe("generated files", () => {
  it(
    "schema.graphql matches the schema the code builds (else run `npm run schema:print`)",
    async () => {
      // The same script that writes the file compares it, so the test and the generator cannot disagree.
      // It exits non-zero when the file is stale, which rejects this promise.
      await run(process.execPath, ["scripts/print-schema.ts", "--check"]);
    },
    childProcessTimeout,
  );

  it(
    "prisma/postgresql/schema.prisma is derived from prisma/schema.prisma (else run `npm run db:postgresql-schema`)",
    async () => {
      // Only the datasource and the client's output differ; the script says where else it differs.
      await run(process.execPath, ["scripts/postgresql-schema.ts", "--check"]);
      expect(readFileSync("prisma/postgresql/migrations/migration_lock.toml", "utf8")).toContain(
        'provider = "postgresql"',
      );
    },
    childProcessTimeout,
  );

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
  it(
    "apply to an empty database with `prisma migrate deploy`, offline, through the driver adapter",
    async () => {
      const file = databasePath("migrated.db");
      const output = await prismaCli(["migrate", "deploy"], file);
      expect(output).toContain("All migrations have been successfully applied");
      const database = new Database(file, { readonly: true });
      const tables = database
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all()
        .map((row) => (row as { name: string }).name);
      const applied = database
        .prepare("SELECT COUNT(*) AS count FROM _prisma_migrations WHERE finished_at IS NOT NULL")
        .get() as { count: number };
      database.close();
      expect(tables).toEqual(["Category", "Product", "RefreshToken", "User", "_prisma_migrations"]);
      expect(applied.count).toBe(
        readdirSync("prisma/migrations", { withFileTypes: true }).filter((entry) => entry.isDirectory())
          .length,
      );
    },
    childProcessTimeout,
  );

  it(
    "build exactly the schema prisma/schema.prisma describes (a model change needs a migration)",
    async () => {
      // `migrate diff --from-migrations` needs a shadow database, which fails through the SQLite
      // adapter on multi-statement migrations. Instead: the SQL that creates schema.prisma from
      // nothing (no database needed), run in memory, against the migrated template database.
      const script = await prismaCli(
        ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
        databasePath("unused.db"),
      );
      const described = new Database(":memory:");
      described.exec(script);
      const migrated = new Database(templateDatabasePath(), { readonly: true });
      try {
        expect(describeDatabase(migrated)).toEqual(describeDatabase(described));
      } finally {
        migrated.close();
        described.close();
      }
    },
    childProcessTimeout,
  );
});
