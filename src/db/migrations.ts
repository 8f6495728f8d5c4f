import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { databaseProvider, redactUrl, sqliteFilename } from "../config.ts";
import { migratePostgreSQL } from "./postgresql-migrations.ts";

/**
 * The migration runner behind `npm run db:migrate` (and so `npm start` and `npm run dev`): applies
 * the committed migrations a database lacks, while other processes keep serving from it. Each
 * database has its own migrations folder (prisma/migrations for SQLite, prisma/postgresql/migrations),
 * in Prisma's format, with Prisma's `_prisma_migrations` history. PostgreSQL's runner is
 * src/db/postgresql-migrations.ts; SQLite's follows.
 *
 * Why not `prisma migrate deploy`: Prisma 6.19's schema engine starts with
 * `PRAGMA main.locking_mode=EXCLUSIVE` (prisma/prisma-engines#4675). On a WAL database that another
 * connection has open, that lock can never be had, however long the busy timeout: it fails after
 * the timeout with "unknown variant `SocketTimeout`", even when there is nothing to apply. So a
 * second server, `npm run dev` beside `npm start`, or a rolling restart could not start.
 *
 * Here each migration runs in one `BEGIN IMMEDIATE` transaction instead: it waits (busy timeout)
 * for writers in flight, blocks other writers only while it runs, never blocks readers (WAL), and
 * either applies whole or leaves nothing behind. Nothing pending takes no lock at all. The
 * bookkeeping is Prisma's own `_prisma_migrations` table, rows written as Prisma writes them, so
 * `prisma migrate status` and `prisma migrate deploy` agree with this runner and files migrated
 * by either work with both.
 */

/** Where each database's committed migrations are. */
export const MIGRATIONS_DIRECTORIES = {
  sqlite: "prisma/migrations",
  postgresql: "prisma/postgresql/migrations",
} as const;

/** How long a migration waits for the write lock (other writers, another runner) before failing. */
const BUSY_TIMEOUT_MS = 60_000;

// Exactly Prisma's own definition of its bookkeeping table for SQLite.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };

export type MigrationResult = {
  /** The SQLite file's path, or the PostgreSQL URL without its password. */
  database: string;
  /** Names of the migrations this run applied, in order. */
  applied: string[];
  /** How many migrations the database's folder holds. */
  total: number;
};

/** A migration that could not be applied, or a database this runner must not touch; the message says why. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Prisma's advice for a migration its history records as failed. */
export function failedMigrationMessage(name: string): string {
  return `Migration ${name} failed earlier and may be half applied: repair the database, then mark it with \`npx prisma migrate resolve --applied ${name}\` (or --rolled-back)`;
}

/** The committed migrations, in the order they apply (by folder name, as Prisma orders them). */
export function readMigrations(directory: string = MIGRATIONS_DIRECTORIES.sqlite): Migration[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(directory, name, "migration.sql"));
      // Prisma's checksum: SHA-256 of the file's bytes, in hex.
      return { name, sql: sql.toString("utf8"), checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies the migrations the database at `databaseUrl` lacks, from its provider's folder. */
export async function migrateDatabase(databaseUrl: string): Promise<MigrationResult> {
  const provider = databaseProvider(databaseUrl);
  const migrations = readMigrations(MIGRATIONS_DIRECTORIES[provider]);
  if (provider === "sqlite") return migrateSqlite(databaseUrl, migrations);
  const applied = await migratePostgreSQL(databaseUrl, migrations);
  return { database: redactUrl(databaseUrl), applied, total: migrations.length };
}

export function migrateSqlite(
  databaseUrl: string,
  migrations: Migration[] = readMigrations(),
): MigrationResult {
  const databaseFile = sqliteFilename(databaseUrl);
  mkdirSync(dirname(databaseFile), { recursive: true });
  const database = new Database(databaseFile, { timeout: BUSY_TIMEOUT_MS });
  try {
    // As the server does (src/db/client.ts): readers then never wait for a migration.
    database.pragma("journal_mode = WAL");
    const pending = migrations.filter((migration) => !appliedMigrations(database).has(migration.name));
    if (pending.length === 0) return { database: databaseFile, applied: [], total: migrations.length };

    // SQLite's procedure for schema changes (sqlite.org/lang_altertable.html): foreign keys off
    // around the transaction (the PRAGMA is a no-op inside one, so Prisma's own `PRAGMA
    // foreign_keys=OFF` in a table rebuild would do nothing), then checked before commit.
    database.pragma("foreign_keys = OFF");
    const applied: string[] = [];
    for (const migration of pending) {
      if (applyOne(database, migration)) applied.push(migration.name);
    }
    return { database: databaseFile, applied, total: migrations.length };
  } finally {
    database.close();
  }
}

/** Applies one migration in its own transaction; false when another process applied it first. */
function applyOne(database: Database.Database, migration: Migration): boolean {
  const apply = database.transaction(() => {
    database.exec(CREATE_MIGRATIONS_TABLE);
    // Read again under the write lock: another runner may have applied it while this one waited.
    if (appliedMigrations(database).has(migration.name)) return false;
    const startedAt = prismaTimestamp();
    database.exec(migration.sql);
    const violations = database.pragma("foreign_key_check") as { table: string }[];
    if (violations.length > 0) {
      const tables = [...new Set(violations.map((violation) => violation.table))].join(", ");
      throw new Error(`it leaves rows that break foreign keys (in ${tables})`);
    }
    database
      .prepare(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count")
         VALUES (?, ?, ?, ?, ?, 1)`,
      )
      .run(randomUUID(), migration.checksum, prismaTimestamp(), migration.name, startedAt);
    return true;
  });
  try {
    return apply.immediate();
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back, nothing of it applied: ${(error as Error).message}`,
    );
  }
}

/** Names of the migrations the file has; refuses a file where a `prisma migrate deploy` failed halfway. */
function appliedMigrations(database: Database.Database): Set<string> {
  const table = database
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`)
    .get();
  if (!table) return new Set();
  const rows = database
    .prepare(
      `SELECT "migration_name", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL`,
    )
    .all() as { migration_name: string; finished_at: string | null }[];
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationError(failedMigrationMessage(failed.migration_name));
  }
  return new Set(rows.map((row) => row.migration_name));
}

/** The format Prisma writes into `_prisma_migrations` (ISO 8601 with "+00:00"). */
function prismaTimestamp(): string {
  return new Date().toISOString().replace("Z", "+00:00");
}
