import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseProvider, sqliteFilename } from "../config.ts";

/**
 * The driver adapter for a DATABASE_URL. Shared by the server (src/db/client.ts) and the Prisma CLI
 * (prisma.config.ts), so migrations run through exactly the driver the server uses and no
 * native engine is ever downloaded. Kept apart from src/db/client.ts because the CLI loads it before
 * the Prisma client has been generated.
 */
export function createDriverAdapter(databaseUrl: string, { poolSize = 10 } = {}) {
  if (databaseProvider(databaseUrl) === "postgresql") {
    // node-postgres reads host, port, user, password, database and sslmode from the URL. A pool
    // per process: PostgreSQL's max_connections (100 by default) bounds processes × poolSize.
    // A query waits at most 5 s for a connection, so a database that stops accepting them fails
    // requests (and /readyz) instead of stalling them.
    return new PrismaPg({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5_000 });
  }
  const filename = sqliteFilename(databaseUrl);
  // better-sqlite3 creates the file but not its folder.
  mkdirSync(dirname(filename), { recursive: true });
  // timeout is SQLite's busy timeout: a writer waits for the lock instead of failing at once.
  return new PrismaBetterSQLite3({ url: filename, timeout: 5_000 });
}
