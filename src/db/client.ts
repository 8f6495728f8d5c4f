import type { Config } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { createDriverAdapter } from "./driver-adapter.ts";

/**
 * The only place a Prisma client is built. Each app gets its own, so tests can run many
 * isolated apps side by side. Query events are always emitted: the app logs them at debug
 * level and tests count the SQL statements a request runs.
 */
export function createPrisma(config: Config) {
  return new PrismaClient({
    adapter: createDriverAdapter(config.databaseUrl),
    log: [{ emit: "event", level: "query" }],
  });
}

export type DatabaseClient = ReturnType<typeof createPrisma>;

/**
 * Settings that live in the database file rather than the connection. WAL lets readers run
 * while one writer commits, and together with the busy timeout (src/db/driver-adapter.ts) makes
 * concurrent writers wait for each other instead of failing.
 */
export async function prepareDatabase(prisma: DatabaseClient) {
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
