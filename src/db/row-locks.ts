import type { DatabaseProvider } from "../config.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * Locks one row until the transaction ends. A service that reads a row, checks it and writes it
 * back (or deletes it) locks it first: PostgreSQL runs write transactions side by side (READ
 * COMMITTED), so without the lock two updates of one product could each pass their checks
 * against what the other is replacing (a JPY product left with a price in cents), and two deletes
 * could both find it. "FOR KEY SHARE" only keeps the row from being deleted (a product being
 * written into a category), and lets other such writes run. SQLite needs none of this: the app's
 * one connection runs one transaction at a time.
 */
export async function lockRow(
  transaction: Prisma.TransactionClient,
  provider: DatabaseProvider,
  table: "Product" | "Category",
  id: number,
  strength: "FOR UPDATE" | "FOR KEY SHARE" = "FOR UPDATE",
) {
  if (provider === "postgresql") {
    await transaction.$executeRawUnsafe(`SELECT 1 FROM "${table}" WHERE "id" = $1 ${strength}`, id);
  }
}
