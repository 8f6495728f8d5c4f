import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIRECTORIES, type Migration, readMigrations } from "../src/db/migrations.ts";
import { migratePostgreSQL } from "../src/db/postgresql-migrations.ts";
import { createEmptyDatabase, freshDatabaseUrl } from "./databases.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";
import { prismaCli } from "./prisma-cli.ts";

// PostgreSQL's migration runner (src/db/postgresql-migrations.ts), behind `npm run db:migrate`
// when DATABASE_URL is postgresql://…: Prisma's folder format and history, offline, once per
// migration however many processes start at once, and never past a failure.

const run = promisify(execFile);
const committed = readMigrations(MIGRATIONS_DIRECTORIES.postgresql);
const childProcessTimeout = 120_000;

const opened: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.end()));
});

async function connect(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  opened.push(client);
  return client;
}

async function rows<Row>(databaseUrl: string, sql: string): Promise<Row[]> {
  return (await (await connect(databaseUrl)).query(sql)).rows as Row[];
}

const tableNames = (databaseUrl: string) =>
  rows<{ table_name: string }>(
    databaseUrl,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  ).then((found) => found.map((row) => row.table_name));

const history = (databaseUrl: string) =>
  rows<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>(
    databaseUrl,
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
     FROM _prisma_migrations ORDER BY migration_name`,
  );

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

/** `npm run db:migrate` as npm runs it; rejects on a non-zero exit. */
function migrateScript(databaseUrl: string) {
  return run(process.execPath, ["scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test" },
    encoding: "utf8",
  });
}

/** Tables, columns, indexes, constraints and enums of a database's public schema, comparably. */
async function describeDatabase(databaseUrl: string) {
  const client = await connect(databaseUrl);
  const query = async (sql: string) => (await client.query(sql)).rows;
  return {
    columns: await query(`
      SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
             character_maximum_length, datetime_precision, collation_name
      FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`),
    indexes: await query(`
      SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
      ORDER BY tablename, indexname`),
    // Keys and foreign keys; CHECK constraints are compared with SQLite's instead (below).
    constraints: await query(`
      SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND contype <> 'c'
        AND conrelid::regclass::text <> '_prisma_migrations'
      ORDER BY 1, 2`),
    enums: await query(`
      SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`),
  };
}

describe("the PostgreSQL migrations", () => {
  it(
    "build exactly the schema prisma/postgresql/schema.prisma describes, but the names' collation",
    async () => {
      // As for SQLite (test/generated-files.test.ts): the SQL that creates the model from nothing,
      // which Prisma writes without a database, run in an empty database beside a migrated one.
      const script = await prismaCli(
        [
          "migrate",
          "diff",
          "--from-empty",
          "--to-schema-datamodel",
          "prisma/postgresql/schema.prisma",
          "--script",
        ],
        databasePath("unused.db"),
      );
      const described = await createEmptyDatabase();
      await (await connect(described.url)).query(script);
      const fromModel = await describeDatabase(described.url);
      const migrated = await describeDatabase(await freshDatabaseUrl());

      // The one difference a model cannot state: names that lists are ordered by compare by code
      // point, as on SQLite, whatever the database's own collation.
      const byCodePoint = ["Category.name", "Product.name"];
      for (const column of fromModel.columns) {
        if (byCodePoint.includes(`${column.table_name}.${column.column_name}`)) column.collation_name = "C";
      }
      expect(migrated).toEqual(fromModel);
      expect(fromModel.columns.filter((column) => column.collation_name === "C")).toHaveLength(2);
    },
    childProcessTimeout,
  );

  it("have the CHECK constraints SQLite's migrations have, by name and condition", async () => {
    // Written by hand on both sides (a model cannot state them): "stock" >= 0 and the like.
    const condition = (text: string) => text.replace(/CHECK|[()"\s]/g, "");
    const sqlite = new Database(templateDatabasePath(), { readonly: true });
    const sqliteChecks = (
      sqlite.prepare("SELECT sql FROM sqlite_master WHERE type = 'table'").all() as { sql: string }[]
    )
      .flatMap(({ sql }) => [...sql.matchAll(/CONSTRAINT "(\w+)" CHECK \(([^)]*)\)/g)])
      .map(([, name, check]) => ({ name, condition: condition(check as string) }));
    sqlite.close();
    const postgresqlChecks = (
      await rows<{ name: string; definition: string }>(
        await freshDatabaseUrl(),
        "SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace",
      )
    ).map(({ name, definition }) => ({ name, condition: condition(definition) }));
    const byName = (a: { name?: string }, b: { name?: string }) =>
      String(a.name).localeCompare(String(b.name));
    expect(sqliteChecks.length).toBeGreaterThanOrEqual(3);
    expect(postgresqlChecks.sort(byName)).toEqual(sqliteChecks.sort(byName));
  });
});

describe("npm run db:migrate on PostgreSQL", () => {
  it(
    "migrates an empty database, saying so in one line without the password; run again it applies nothing",
    async () => {
      const { url } = await createEmptyDatabase();
      const withPassword = url.replace("postgres@", "postgres:not-shown@");
      const first = await migrateScript(withPassword);
      expect(first.stdout).toMatch(/^Database postgresql:\/\/\*\*\*@[^ ]+: applied all \d+ migrations\.\n$/);
      expect(first.stdout).not.toContain("not-shown");
      expect(first.stderr).toBe("");
      expect(await tableNames(url)).toEqual([
        "Category",
        "Product",
        "RefreshToken",
        "User",
        "_prisma_migrations",
      ]);
      // Prisma's history, as `prisma migrate deploy` writes it: one finished row per migration
      // folder, its checksum the SHA-256 of the migration.sql file's bytes.
      expect(await history(url)).toEqual(
        committed.map((each) => ({
          migration_name: each.name,
          checksum: createHash("sha256")
            .update(readFileSync(`${MIGRATIONS_DIRECTORIES.postgresql}/${each.name}/migration.sql`))
            .digest("hex"),
          finished: true,
          applied_steps_count: 1,
        })),
      );

      const second = await migrateScript(url);
      expect(second.stdout).toMatch(/: up to date \(\d+ migrations\)\.\n$/);
    },
    childProcessTimeout,
  );

  it(
    "run by four processes at once on an empty database, applies each migration once, and all succeed",
    async () => {
      const { url } = await createEmptyDatabase();
      const outputs = await Promise.all([1, 2, 3, 4].map(() => migrateScript(url)));
      const said = outputs.map((output) => output.stdout);
      expect(said.filter((line) => line.includes("applied all"))).toHaveLength(1);
      expect(said.filter((line) => line.includes("up to date"))).toHaveLength(3);
      expect((await history(url)).map((row) => row.migration_name)).toEqual(
        committed.map((each) => each.name),
      );
    },
    childProcessTimeout,
  );

  it("waits while `prisma migrate` holds its lock, and applies once it is released", async () => {
    const { url } = await createEmptyDatabase();
    const holder = await connect(url);
    // The key Prisma's schema engine locks for every migrate command.
    await holder.query("SELECT pg_advisory_lock(72707369)");
    let finished = false;
    const migrating = migratePostgreSQL(url, committed).then((applied) => {
      finished = true;
      return applied;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(finished).toBe(false);
    expect(await tableNames(url)).toEqual([]);
    await holder.query("SELECT pg_advisory_unlock(72707369)");
    expect(await migrating).toEqual(committed.map((each) => each.name));
  });

  it("rolls a failing migration back whole, records nothing of it, and applies none after it", async () => {
    const url = await freshDatabaseUrl();
    const broken = migration(
      "29990101000000_broken",
      `CREATE TABLE "Half" ("id" INTEGER); INSERT INTO "Nowhere" VALUES (1);`,
    );
    const after = migration("29990102000000_after", `CREATE TABLE "After" ("id" INTEGER);`);
    await expect(migratePostgreSQL(url, [...committed, broken, after])).rejects.toThrow(
      /^Migration 29990101000000_broken failed and was rolled back, nothing of it applied: relation "Nowhere" does not exist/,
    );
    const tables = await tableNames(url);
    expect(tables).not.toContain("Half");
    expect(tables).not.toContain("After");
    expect((await history(url)).map((row) => row.migration_name)).toEqual(committed.map((each) => each.name));
  });

  it("refuses a database whose history records a failed migration, naming it and the way out", async () => {
    const url = await freshDatabaseUrl();
    // What `prisma migrate deploy` leaves when a migration fails: a row that never finished.
    await (await connect(url)).query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('failed-row', 'x', '29990101000000_half_done', now(), 0)`,
    );
    const later = migration("29990102000000_later", `CREATE TABLE "Later" ("id" INTEGER);`);
    await expect(migratePostgreSQL(url, [...committed, later])).rejects.toThrow(
      "Migration 29990101000000_half_done failed earlier and may be half applied: repair the database, then mark it with `npx prisma migrate resolve --applied 29990101000000_half_done` (or --rolled-back)",
    );
    expect(await tableNames(url)).not.toContain("Later");
    await expect(migrateScript(url)).rejects.toMatchObject({
      stderr: expect.stringContaining("Migration 29990101000000_half_done failed earlier"),
    });
  });
});
