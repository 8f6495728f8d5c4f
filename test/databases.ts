import { randomBytes, randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { databasePath, templateDatabasePath } from "./paths.ts";

// The databases tests run against. vitest.config.ts runs the suite once per database (a project
// each); a test file asks for a fresh, migrated database and gets one of its project's kind.

export type TestDatabase =
  | { provider: "sqlite" }
  | { provider: "postgresql"; prefix: string; template: string };

/** The PostgreSQL server tests use: the one the project's machines and CI run, unless set. */
export const TEST_POSTGRESQL_URL =
  process.env.TEST_POSTGRESQL_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function testDatabaseProvider(): TestDatabase["provider"] {
  return inject("testDatabase").provider;
}

/** A new name for one of this run's PostgreSQL databases (the postgresql project only). */
function newDatabaseName(): string {
  const database = inject("testDatabase");
  if (database.provider !== "postgresql")
    throw new Error("a PostgreSQL database outside the postgresql project");
  return `${database.prefix}_${randomBytes(6).toString("hex")}`;
}

/** The URL of a database on the test server, by name. */
export function postgresqlUrl(database: string): string {
  const url = new URL(TEST_POSTGRESQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminConnection<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new empty PostgreSQL database, created the way a production database often is: with a
 * language's collation (ICU en-US) rather than byte order, so the tests show the schema keeps
 * SQLite's ordering anyway (prisma/postgresql/migrations: COLLATE "C"). Without a name, one of this
 * run's (dropped after it).
 */
export async function createEmptyDatabase(name = newDatabaseName()) {
  await withAdminConnection((client) =>
    client.query(
      `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`,
    ),
  );
  return { name, url: postgresqlUrl(name) };
}

/** Drops every database whose name starts with `prefix`, ending the sessions still open on it. */
export async function dropDatabases(prefix: string) {
  await withAdminConnection(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/**
 * A fresh copy of the migrated template, of this project's database: a SQLite file named after
 * `label`, or a PostgreSQL database. Returns its DATABASE_URL.
 */
export async function freshDatabaseUrl(label = "test"): Promise<string> {
  const database = inject("testDatabase");
  if (database.provider === "sqlite") {
    const file = databasePath(`${label}-${randomUUID()}.db`);
    copyFileSync(templateDatabasePath(), file);
    return `file:${file}`;
  }
  const name = newDatabaseName();
  await withAdminConnection((client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${database.template}"`),
  );
  return postgresqlUrl(name);
}

/** A database that was never migrated, of this project's kind: its DATABASE_URL. */
export async function unmigratedDatabaseUrl(): Promise<string> {
  if (testDatabaseProvider() === "sqlite") return `file:${databasePath(`unmigrated-${randomUUID()}.db`)}`;
  return (await createEmptyDatabase()).url;
}
