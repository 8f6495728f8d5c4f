import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import { relative } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sqliteFilename } from "../src/config.ts";
import { type Migration, MigrationError, migrateSqlite, readMigrations } from "../src/db/migrations.ts";
import { productSearchText } from "../src/domain/search-text.ts";
import {
  CHILD_TEST_TIMEOUT,
  freshDatabase,
  graphql,
  logIn,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";
import { prismaCli } from "./prisma-cli.ts";

// `npm run db:migrate` (the first step of npm start and npm run dev): the committed migrations,
// applied by src/db/migrations.ts, also while another process serves from the same file.

const run = promisify(execFile);
const committed = readMigrations();

/** `npm run db:migrate` as npm runs it, on one file; rejects on a non-zero exit. */
function migrateScript(databaseUrl: string) {
  return run(process.execPath, ["scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test" },
    encoding: "utf8",
  });
}

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

function withDatabase<T>(file: string, read: (database: Database.Database) => T): T {
  const database = new Database(file, { readonly: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

function tableNames(file: string): string[] {
  return withDatabase(file, (database) =>
    (
      database
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as {
        name: string;
      }[]
    ).map((row) => row.name),
  );
}

function recordedMigrations(file: string): string[] {
  return withDatabase(file, (database) =>
    (
      database.prepare(`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`).all() as {
        migration_name: string;
      }[]
    ).map((row) => row.migration_name),
  );
}

function templateCopy(): string {
  const file = databasePath(`migrations-${randomUUID()}.db`);
  copyFileSync(templateDatabasePath(), file);
  return file;
}

describe("npm run db:migrate", () => {
  it(
    "migrates a new file and says so in one line, naming the file; run again it applies nothing",
    async () => {
      const file = databasePath(`new-${randomUUID()}.db`);
      const shown = relative(process.cwd(), file);
      const first = await migrateScript(`file:${file}`);
      // Only this line: none of the Prisma CLI's (a warning to remove the datasource url, a
      // placeholder file name, "skipping environment variable loading").
      expect(first.stdout).toBe(`Database ${shown}: applied all ${committed.length} migrations.\n`);
      expect(first.stderr).toBe("");
      expect(tableNames(file)).toEqual(["Category", "Product", "RefreshToken", "User", "_prisma_migrations"]);
      expect(recordedMigrations(file)).toEqual(committed.map((each) => each.name));

      const second = await migrateScript(`file:${file}`);
      expect(second.stdout).toBe(`Database ${shown}: up to date (${committed.length} migrations).\n`);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "keeps Prisma's bookkeeping: `prisma migrate status` agrees, and a file Prisma migrated needs nothing",
    async () => {
      const ours = databasePath(`ours-${randomUUID()}.db`);
      migrateSqlite(`file:${ours}`);
      expect(await prismaCli(["migrate", "status"], ours)).toContain("Database schema is up to date!");

      const prismas = databasePath(`prismas-${randomUUID()}.db`);
      await prismaCli(["migrate", "deploy"], prismas);
      expect(migrateSqlite(`file:${prismas}`).applied).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "run twice at once on a new file, applies each migration once, and both succeed",
    async () => {
      const file = databasePath(`race-${randomUUID()}.db`);
      const outputs = await Promise.all([migrateScript(`file:${file}`), migrateScript(`file:${file}`)]);
      expect(outputs.map((output) => output.stdout).join("")).toMatch(/Database .*: (applied|up to date)/);
      expect(recordedMigrations(file)).toEqual(committed.map((each) => each.name));
    },
    CHILD_TEST_TIMEOUT,
  );

  it("rolls a failing migration back whole: nothing of it stays, nothing is recorded, the error names it", () => {
    const file = templateCopy();
    const broken = migration(
      "29990101000000_broken",
      `CREATE TABLE "Half" ("id" INTEGER); INSERT INTO "Nowhere" VALUES (1);`,
    );
    const attempt = () => migrateSqlite(`file:${file}`, [...committed, broken]);
    expect(attempt).toThrow(MigrationError);
    expect(attempt).toThrow(
      /^Migration 29990101000000_broken failed and was rolled back.*no such table: Nowhere/,
    );
    expect(tableNames(file)).not.toContain("Half");
    expect(recordedMigrations(file)).toEqual(committed.map((each) => each.name));
  });

  it("refuses a migration that leaves a row breaking a foreign key, and rolls it back", () => {
    const file = templateCopy();
    const orphan = migration(
      "29990101000000_orphan_token",
      `INSERT INTO "RefreshToken" ("tokenHash", "userId", "expiresAt") VALUES ('orphan', 424242, 0);`,
    );
    expect(() => migrateSqlite(`file:${file}`, [...committed, orphan])).toThrow(
      /^Migration 29990101000000_orphan_token failed .*break foreign keys \(in RefreshToken\)/,
    );
    const tokens = withDatabase(file, (database) =>
      database.prepare(`SELECT COUNT(*) AS count FROM "RefreshToken"`).get(),
    );
    expect(tokens).toEqual({ count: 0 });
  });
  it("rebuilds a referenced table as Prisma writes it without touching the rows that reference it", () => {
    const file = templateCopy();
    const setup = new Database(file);
    setup.exec(`INSERT INTO "User" ("id", "email", "name", "passwordHash", "updatedAt") VALUES (1, 'a@example.test', 'A', 'x', 0);
      INSERT INTO "RefreshToken" ("tokenHash", "userId", "expiresAt") VALUES ('kept', 1, 0);`);
    const schema = setup
      .prepare(`SELECT type, sql FROM sqlite_master WHERE tbl_name = 'User' AND sql IS NOT NULL`)
      .all() as { type: string; sql: string }[];
    setup.close();
    // A table rebuild as `prisma migrate diff` writes one (RefreshToken cascades on a User delete,
    // so with foreign keys on, DROP TABLE "User" would delete every refresh token).
    const rebuild = migration(
      "29990101000000_rebuild_user",
      [
        "PRAGMA defer_foreign_keys=ON;",
        "PRAGMA foreign_keys=OFF;",
        `${schema.find((each) => each.type === "table")?.sql.replace('"User"', '"new_User"')};`,
        `INSERT INTO "new_User" SELECT * FROM "User";`,
        `DROP TABLE "User";`,
        `ALTER TABLE "new_User" RENAME TO "User";`,
        ...schema.filter((each) => each.type === "index").map((each) => `${each.sql};`),
        "PRAGMA foreign_keys=ON;",
        "PRAGMA defer_foreign_keys=OFF;",
      ].join("\n"),
    );
    expect(migrateSqlite(`file:${file}`, [...committed, rebuild]).applied).toEqual([rebuild.name]);
    const tokens = withDatabase(file, (database) =>
      database.prepare(`SELECT "tokenHash" FROM "RefreshToken"`).all(),
    );
    expect(tokens).toEqual([{ tokenHash: "kept" }]);
  });
});

describe("migrating while another process serves the same file", () => {
  it(
    "npm run db:migrate and a second server both start beside a production server, and all keep answering",
    async () => {
      const email = "migrate-beside@example.test";
      const databaseUrl = await freshDatabase(email);
      const serving = await startChild(databaseUrl);
      try {
        // A real request first, so the server holds the file open in WAL mode as it does in use
        // (this is when `prisma migrate deploy` could never get its exclusive lock).
        await logIn(serving, email);

        const migrated = await migrateScript(databaseUrl);
        expect(migrated.stdout).toMatch(/: up to date/);

        const second = await startChild(databaseUrl);
        try {
          const { accessToken } = await logIn(second, email);
          // A token signed by one process is honoured by the other: one deployment, one file.
          const me = await graphql(
            serving,
            "{ me { email } }",
            {},
            { authorization: `Bearer ${accessToken}` },
          );
          expect(me.body).toEqual({ data: { me: { email } } });
        } finally {
          await stopChild(second);
        }
        expect((await fetch(`${serving.url}/readyz`)).status).toBe(200);
      } finally {
        await stopChild(serving);
      }
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "applies a pending migration while the server serves, and the server writes and reads afterwards",
    async () => {
      const email = "migrate-pending@example.test";
      const databaseUrl = await freshDatabase(email);
      const serving = await startChild(databaseUrl);
      try {
        const { accessToken } = await logIn(serving, email);
        const addColumn = migration(
          "29990101000000_product_note",
          `ALTER TABLE "Product" ADD COLUMN "note" TEXT;`,
        );

        expect(migrateSqlite(databaseUrl, [...committed, addColumn]).applied).toEqual([addColumn.name]);

        const created = await graphql(
          serving,
          `mutation ($input: CreateProductInput!) { createProduct(input: $input) {
            __typename ... on CreateProductPayload { product { sku } } } }`,
          { input: { sku: "AFTER-MIGRATION", name: "Written after", price: "1.00", currency: "EUR" } },
          { authorization: `Bearer ${accessToken}` },
        );
        expect(created.body.data?.createProduct).toEqual({
          __typename: "CreateProductPayload",
          product: { sku: "AFTER-MIGRATION" },
        });
        const columns = withDatabase(sqliteFilename(databaseUrl), (database) =>
          (database.prepare(`PRAGMA table_info("Product")`).all() as { name: string }[]).map(
            (column) => column.name,
          ),
        );
        expect(columns).toContain("note");
        expect(recordedMigrations(sqliteFilename(databaseUrl))).toContain(addColumn.name);
      } finally {
        await stopChild(serving);
      }
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("the search_text_backslash migration", () => {
  it("rewrites the search text of existing products in the form the services now write", () => {
    const index = committed.findIndex((each) => each.name.endsWith("_search_text_backslash"));
    expect(index).toBeGreaterThan(0);
    const file = databasePath(`backslash-${randomUUID()}.db`);
    migrateSqlite(`file:${file}`, committed.slice(0, index));
    const [name, description] = ["Back\\slash 50%", "C:\\Temp_dir"];
    // As the services wrote it before: "%" and "_" swapped, "\" kept.
    const before = productSearchText(name, description).replaceAll("\u{E003}", "\\");
    const database = new Database(file);
    database
      .prepare(
        `INSERT INTO "Product" (sku, name, description, searchText, priceMicros, currency, createdAt, updatedAt)
         VALUES ('BACKSLASH', ?, ?, ?, 1000000, 'EUR', 0, 0)`,
      )
      .run(name, description, before);
    database.close();

    migrateSqlite(`file:${file}`, committed);
    const after = withDatabase(file, (migrated) =>
      migrated.prepare(`SELECT searchText FROM "Product" WHERE sku = 'BACKSLASH'`).get(),
    );
    expect(after).toEqual({ searchText: productSearchText(name, description) });
    expect(productSearchText(name, description)).not.toContain("\\");
  });
});
