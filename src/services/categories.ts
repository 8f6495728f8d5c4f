import type { ServiceContext } from "../context.ts";
import { createInTree, lockTree, moveInTree, type TreePosition } from "../db/category-tree.ts";
import { lockRow } from "../db/row-locks.ts";
import { conflictOnUnique } from "../db/unique-conflicts.ts";
import { createCategorySchema, slugify, updateCategorySchema, validateInput } from "../domain/validation.ts";
import { ConflictError, NotFoundError, publicId, ValidationError } from "../errors.ts";
import type { Category, Prisma } from "../generated/prisma/client.ts";
import type { CategoryField } from "./events.ts";

/**
 * Every write of a category, as in services/products.ts: validation, one transaction, one change
 * event after it commits. The tree's stored paths are kept by src/db/category-tree.ts, which
 * only these functions call.
 */

export type CreateCategoryInput = {
  name: string;
  /** Derived from the name when absent. */
  slug?: string | null;
  /** null or absent: a top-level category. */
  parentId?: number | null;
};

/** Absent or null leaves a field as it is, except parentId: null moves the category to the top. */
export type UpdateCategoryInput = { name?: string | null; slug?: string | null; parentId?: number | null };

const uniqueFields = ["name", "slug"];

export async function createCategory(context: ServiceContext, input: CreateCategoryInput): Promise<Category> {
  const data = validateInput(createCategorySchema, {
    name: input.name,
    slug: input.slug ?? slugify(input.name),
  });
  const category = await context.prisma.$transaction(async (transaction) => {
    await lockTree(transaction, context.config.databaseProvider);
    const parent = await existingParent(transaction, input.parentId);
    return conflictOnUnique(uniqueFields, () => createInTree(transaction, data, parent ?? null));
  });
  context.events.publish("categoryChanged", { kind: "created", categoryId: category.id });
  return category;
}

export async function updateCategory(
  context: ServiceContext,
  id: number,
  input: UpdateCategoryInput,
): Promise<Category> {
  const data = validateInput(updateCategorySchema, input);
  const [before, after] = await context.prisma.$transaction(async (transaction) => {
    const provider = context.config.databaseProvider;
    if (input.parentId !== undefined) await lockTree(transaction, provider);
    await lockRow(transaction, provider, "Category", id);
    const existing = await transaction.category.findUnique({ where: { id } });
    if (!existing) throw new NotFoundError("Category", id);
    const parent = await existingParent(transaction, input.parentId);
    if (parent !== undefined) await moveInTree(transaction, existing, parent);
    const updated = await conflictOnUnique(uniqueFields, () =>
      transaction.category.update({
        where: { id },
        data: { name: data.name ?? undefined, slug: data.slug ?? undefined },
      }),
    );
    return [existing, updated] as const;
  });
  const differs: Record<CategoryField, boolean> = {
    name: before.name !== after.name,
    slug: before.slug !== after.slug,
    parent: before.parentId !== after.parentId,
  };
  context.events.publish("categoryChanged", {
    kind: "updated",
    categoryId: id,
    changed: (Object.keys(differs) as CategoryField[]).filter((field) => differs[field]),
  });
  return after;
}

/** Deletes a category that holds no products and no subcategories (else ConflictError). */
export async function deleteCategory(context: ServiceContext, id: number): Promise<void> {
  await context.prisma.$transaction(async (transaction) => {
    // Tree writes (a category created below this one) and product writes into it wait, or are
    // waited for, so the counts below hold until the delete commits.
    const provider = context.config.databaseProvider;
    await lockTree(transaction, provider);
    await lockRow(transaction, provider, "Category", id);
    const category = await transaction.category.findUnique({
      where: { id },
      select: { _count: { select: { products: true, children: true } } },
    });
    if (!category) throw new NotFoundError("Category", id);
    const { products, children } = category._count;
    if (products > 0 || children > 0) {
      throw new ConflictError(
        `Category still has ${products} product(s) and ${children} subcategory(ies); move or delete them first`,
        "id",
      );
    }
    await transaction.category.delete({ where: { id } });
  });
  context.events.publish("categoryChanged", { kind: "deleted", categoryId: id });
}

/** The parent an input names: undefined when not given, null for "top level". */
async function existingParent(
  transaction: Prisma.TransactionClient,
  id: number | null | undefined,
): Promise<TreePosition | null | undefined> {
  if (id == null) return id;
  const parent = await transaction.category.findUnique({ where: { id }, select: { id: true, path: true } });
  if (!parent)
    throw ValidationError.forField("parentId", `category ${publicId("Category", id)} does not exist`);
  return parent;
}
