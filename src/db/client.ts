import type { Config } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { PrismaClient as PostgreSQLPrismaClient } from "../generated/prisma-postgresql/client.ts";
import { createDriverAdapter } from "./driver-adapter.ts";

/**
 * The client type the code is written against: the SQLite one. Prisma generates a client per
 * database provider (prisma/postgresql/schema.prisma is derived from the one model list), and the
 * two differ only in provider-specific options this code does not use.
 */
export type DatabaseClient = PrismaClient<"query">;

/**
 * The only place a Prisma client is built. Each app gets its own, so tests can run many
 * isolated apps side by side. Query events are always emitted: the app logs them at debug
 * level and tests count the SQL statements a request runs.
 */
export function createPrisma(config: Config): DatabaseClient {
  const options = {
    adapter: createDriverAdapter(config.databaseUrl, { poolSize: config.databasePoolSize }),
    log: [{ emit: "event" as const, level: "query" as const }],
  };
  if (config.databaseProvider === "postgresql") {
    // Same models, same generated API; only the query compiler behind it differs.
    return new PostgreSQLPrismaClient(options) as unknown as DatabaseClient;
  }
  return new PrismaClient(options);
}

/**
 * WAL lives in the database file: it lets readers run while one writer commits, and together with
 * the busy timeout (src/db/driver-adapter.ts) makes concurrent writers wait for each other instead
 * of failing.
 *
 * synchronous = NORMAL is the durability trade-off, per connection (the adapter's only one, so
 * set once here): a commit writes the WAL but does not wait for the disk to flush it (fsync); the
 * WAL is flushed at each checkpoint. A commit survives the process crashing or being killed
 * (test/shutdown-durability.test.ts), and the file is never corrupted, but a power loss or
 * operating-system crash can lose the last transactions that had committed. FULL would flush on
 * every commit: createProduct's median went from 1.9-3.0 ms to 2.1-6.9 ms, the more the busier
 * the disk (10,000 products, this project's shared machines). better-sqlite3 is built with NORMAL
 * as its WAL default already; saying so here keeps it if the driver changes. (mmap_size changed
 * nothing measurable on the catalog page: 10,000 products fit in SQLite's page cache.)
 */
export async function prepareDatabase(prisma: DatabaseClient, config: Config) {
  if (config.databaseProvider !== "sqlite") return;
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
}
