import type { DatabaseProvider } from "../config.ts";
import { ValidationError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * The category tree. Each category stores its path, the ids from the top of the tree down to
 * itself ("/1/4/9/"), so "category 4 or any category below it" is one condition on one column,
 * `path contains "/4/"`, however large or deep the tree. (A list of the subtree's ids would
 * need a bound value per id, and SQLite takes at most 999 in one statement.)
 * Every write of the tree goes through this module, which keeps the paths right.
 *
 * A tree write reads paths and then writes paths derived from them, so it must see no other tree
 * write in between: two crossing moves could both pass the cycle check, and a category created
 * under a parent that is moving at that moment would keep the parent's old path. SQLite runs one
 * write transaction at a time; on PostgreSQL each tree write first takes a lock (lockTree).
 */

type Client = Prisma.TransactionClient;

/** Any constant of our own: the key of the PostgreSQL advisory lock tree writes take. */
const TREE_LOCK_KEY = 2_026_120_501;

/**
 * Call first in every transaction that writes the tree, before it reads a path. On PostgreSQL it
 * waits for any other tree write to commit and holds the lock until this transaction ends
 * (READ COMMITTED: the reads after it see what that write committed). SQLite needs nothing.
 */
export async function lockTree(transaction: Client, provider: DatabaseProvider) {
  if (provider === "postgresql") {
    await transaction.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${TREE_LOCK_KEY})`);
  }
}

export type TreePosition = { id: number; path: string };

/** Prisma filter for categories: this one and every one below it. */
export function inSubtree(categoryId: number): Prisma.CategoryWhereInput {
  return { path: { contains: `/${categoryId}/` } };
}

/** Creates a category below `parent` (null: at the top). Run it in a transaction. */
export async function createInTree(
  transaction: Client,
  data: { name: string; slug: string },
  parent: TreePosition | null,
) {
  const created = await transaction.category.create({ data: { ...data, parentId: parent?.id ?? null } });
  return transaction.category.update({
    where: { id: created.id },
    data: { path: `${parent?.path ?? "/"}${created.id}/` },
  });
}

/**
 * Moves a category, with everything below it, under `parent` (null: to the top). Refused when
 * `parent` is the category itself or below it: that would cut the subtree off the tree.
 * Run it in a transaction.
 */
export async function moveInTree(transaction: Client, category: TreePosition, parent: TreePosition | null) {
  if (parent?.path.startsWith(category.path)) {
    throw ValidationError.forField("parentId", "must not be the category itself or one of its subcategories");
  }
  const path = `${parent?.path ?? "/"}${category.id}/`;
  // Paths hold only digits and "/", so the old path is a literal LIKE prefix.
  await transaction.$executeRaw`
    UPDATE "Category" SET "path" = ${path} || substr("path", ${category.path.length + 1})
    WHERE "path" LIKE ${`${category.path}%`}`;
  await transaction.category.update({ where: { id: category.id }, data: { parentId: parent?.id ?? null } });
}
