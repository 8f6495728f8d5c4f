import { randomUUID } from "node:crypto";
import pg from "pg";
import { failedMigrationMessage, type Migration, MigrationError } from "./migrations.ts";

/**
 * PostgreSQL's migration runner (src/db/migrations.ts dispatches here). Why not `prisma migrate
 * deploy`: Prisma 6.19's WebAssembly schema engine cannot read a PostgreSQL database through the
 * pg adapter (prisma/prisma#27403, "Column type 'name' could not be deserialized"), and Prisma 7's
 * CLI needs a native engine downloaded for every migrate command. This runner needs neither:
 *
 * - It holds Prisma's own migration advisory lock for the whole run, so processes starting at once
 *   (several machines of one deploy) apply each migration once, one after another, and a
 *   `prisma migrate deploy` run by a team that has the native engine waits for it too.
 * - Each migration runs in one transaction with its history row (PostgreSQL's DDL is
 *   transactional): it applies whole or leaves nothing, and the run stops at the first failure.
 * - The history is Prisma's `_prisma_migrations`, rows written as Prisma writes them (checksum:
 *   SHA-256 of migration.sql), so `prisma migrate deploy` can take over without a baseline.
 * - A history that records a failed migration (from `prisma migrate deploy`) is refused, as
 *   Prisma refuses it, until someone repairs the database and resolves it.
 */

/** The key `prisma migrate` locks (its schema engine's constant), so the two never run at once. */
const PRISMA_MIGRATION_LOCK = 72707369;

/** How long a run waits for the lock (another runner) or for a table a migration alters. */
const LOCK_TIMEOUT = "60s";

// Exactly Prisma's own definition of its bookkeeping table for PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Applies the migrations the database lacks, in order; returns the names it applied. */
export async function migratePostgreSQL(databaseUrl: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    // A session lock: released when this connection ends, even if the process dies.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATION_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const done = await appliedMigrations(client);
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await applyOne(client, migration);
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: Migration) {
  const startedAt = new Date();
  try {
    await client.query("BEGIN");
    // No parameters: node-postgres then sends the simple query protocol, which runs a file of
    // several statements.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count")
       VALUES ($1, $2, now(), $3, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back, nothing of it applied: ${(error as Error).message}`,
    );
  }
}

async function appliedMigrations(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query<{ migration_name: string; finished_at: Date | null }>(
    `SELECT "migration_name", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL`,
  );
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) throw new MigrationError(failedMigrationMessage(failed.migration_name));
  return new Set(rows.map((row) => row.migration_name));
}
