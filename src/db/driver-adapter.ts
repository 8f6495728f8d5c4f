import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqliteFilename } from "../config.ts";

/**
 * The driver adapter for a DATABASE_URL. Shared by the server (src/db/client.ts) and the Prisma CLI
 * (prisma.config.ts), so migrations run through exactly the driver the server uses and no
 * native engine is ever downloaded. Kept apart from src/db/client.ts because the CLI loads it before
 * the Prisma client has been generated.
 */
export function createDriverAdapter(databaseUrl: string) {
  if (databaseUrl.startsWith("file:")) {
    const filename = sqliteFilename(databaseUrl);
    // better-sqlite3 creates the file but not its folder.
    mkdirSync(dirname(filename), { recursive: true });
    // timeout is SQLite's busy timeout: a writer waits for the lock instead of failing at once.
    return new PrismaBetterSQLite3({ url: filename, timeout: 5_000 });
  }
  throw new Error(
    `DATABASE_URL: unsupported scheme in "${redactUrl(databaseUrl)}"; use file:<path> for SQLite`,
  );
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
