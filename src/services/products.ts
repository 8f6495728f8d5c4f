import type { ServiceContext } from "../context.ts";
import { lockRow } from "../db/row-locks.ts";
import { conflictOnUnique } from "../db/unique-conflicts.ts";
import { checkMinorUnits } from "../domain/money.ts";
import { productSearchText } from "../domain/search-text.ts";
import {
  adjustStockSchema,
  createProductSchema,
  MAX_STOCK,
  updateProductSchema,
  validateInput,
} from "../domain/validation.ts";
import { InsufficientStockError, NotFoundError, publicId, ValidationError } from "../errors.ts";
import type { Prisma, Product } from "../generated/prisma/client.ts";
import type { ProductStatus } from "../generated/prisma/enums.ts";
import type { ProductField, ProductPlacement } from "./events.ts";

/**
 * Every write of a product. Each function validates its input, writes in one transaction, and
 * publishes one change event after that transaction has committed. Expected failures are the
 * typed errors of src/errors.ts, thrown before anything is written or with the transaction
 * rolled back. Ids are database ids; the resolvers decode the API's global ids.
 */

export type CreateProductInput = {
  sku: string;
  name: string;
  description?: string | null;
  /** Decimal text, e.g. "12.50". */
  price: string;
  costPrice?: string | null;
  currency: string;
  /** 0 when absent. */
  stock?: number | null;
  /** DRAFT when absent. */
  status?: ProductStatus | null;
  categoryId?: number | null;
};

/** Absent or null leaves a field as it is, except categoryId (null: no category) and costPrice (null: none). */
export type UpdateProductInput = {
  [Field in keyof CreateProductInput]?: CreateProductInput[Field] | null;
};

const uniqueFields = ["sku"];

export async function createProduct(context: ServiceContext, input: CreateProductInput): Promise<Product> {
  const data = validateInput(createProductSchema, {
    ...input,
    stock: input.stock === undefined ? 0 : input.stock,
    status: input.status === undefined ? "DRAFT" : input.status,
  });
  checkMinorUnits({ price: data.price, costPrice: data.costPrice }, data.currency);
  const product = await context.prisma.$transaction(async (transaction) => {
    const categoryId = await existingCategory(context, transaction, input.categoryId);
    return conflictOnUnique(uniqueFields, () =>
      transaction.product.create({
        data: {
          sku: data.sku,
          name: data.name,
          description: data.description ?? "",
          searchText: productSearchText(data.name, data.description ?? ""),
          priceMicros: data.price,
          costMicros: data.costPrice,
          currency: data.currency,
          stock: data.stock,
          status: data.status,
          categoryId,
        },
      }),
    );
  });
  context.events.publish("productChanged", {
    kind: "created",
    productId: product.id,
    now: placement(product),
  });
  return product;
}

export async function updateProduct(
  context: ServiceContext,
  id: number,
  input: UpdateProductInput,
): Promise<Product> {
  const data = validateInput(updateProductSchema, input);
  // Amounts and currency are checked together, so the read and the write share a transaction.
  const [before, after] = await context.prisma.$transaction(async (transaction) => {
    await lockRow(transaction, context.config.databaseProvider, "Product", id);
    const existing = await transaction.product.findUnique({ where: { id } });
    if (!existing) throw new NotFoundError("Product", id);
    const categoryId = await existingCategory(context, transaction, input.categoryId);
    // costPrice: null clears it, so only undefined means "keep the stored one".
    const costPrice = data.costPrice === undefined ? existing.costMicros : data.costPrice;
    checkMinorUnits(
      { price: data.price ?? existing.priceMicros, costPrice },
      data.currency ?? existing.currency,
    );
    const updated = await conflictOnUnique(uniqueFields, () =>
      transaction.product.update({
        where: { id },
        data: {
          sku: data.sku ?? undefined,
          name: data.name ?? undefined,
          description: data.description ?? undefined,
          searchText: productSearchText(data.name ?? existing.name, data.description ?? existing.description),
          priceMicros: data.price ?? undefined,
          costMicros: costPrice,
          currency: data.currency ?? undefined,
          stock: data.stock ?? undefined,
          status: data.status ?? undefined,
          categoryId,
        },
      }),
    );
    return [existing, updated] as const;
  });
  context.events.publish("productChanged", {
    kind: "updated",
    productId: id,
    changed: changedFields(before, after),
    was: placement(before),
    now: placement(after),
  });
  return after;
}

/** Deletes a product; NotFoundError when there is none (also when it was deleted already). */
export async function deleteProduct(context: ServiceContext, id: number): Promise<void> {
  // Read in the delete's transaction: the event says where the product was.
  const deleted = await context.prisma.$transaction(async (transaction) => {
    await lockRow(transaction, context.config.databaseProvider, "Product", id);
    const existing = await transaction.product.findUnique({ where: { id } });
    if (!existing) throw new NotFoundError("Product", id);
    await transaction.product.delete({ where: { id } });
    return existing;
  });
  context.events.publish("productChanged", { kind: "deleted", productId: id, was: placement(deleted) });
}

/**
 * Adds `delta` units (negative: removes them). Never takes stock below zero, however many
 * adjustments run at once: InsufficientStockError instead.
 */
export async function adjustStock(
  context: ServiceContext,
  id: number,
  input: { delta: number },
): Promise<Product> {
  const { delta } = validateInput(adjustStockSchema, input);
  const product = await context.prisma.$transaction(async (transaction) => {
    // One conditional UPDATE: the check and the change are a single atomic statement, so
    // concurrent adjustments can never take stock below zero (or past the maximum).
    const { count } = await transaction.product.updateMany({
      where: { id, stock: { gte: -delta, lte: MAX_STOCK - delta } },
      data: { stock: { increment: delta } },
    });
    if (count === 0) {
      const current = await transaction.product.findUnique({ where: { id }, select: { stock: true } });
      if (!current) throw new NotFoundError("Product", id);
      if (delta > 0) throw ValidationError.forField("delta", `would take stock past ${MAX_STOCK}`);
      throw new InsufficientStockError(current.stock, -delta);
    }
    return transaction.product.findUniqueOrThrow({ where: { id } });
  });
  context.events.publish("productChanged", {
    kind: "stockChanged",
    productId: id,
    delta,
    stock: product.stock,
    now: placement(product),
  });
  return product;
}

/**
 * The category id to store: undefined (not given) and null (none) as they are, else the id of a
 * category that exists, read in the write's transaction so it cannot vanish in between.
 */
async function existingCategory(
  context: ServiceContext,
  transaction: Prisma.TransactionClient,
  id: number | null | undefined,
) {
  if (id == null) return id;
  // Kept from being deleted until the product is written (deleteCategory locks it FOR UPDATE).
  await lockRow(transaction, context.config.databaseProvider, "Category", id, "FOR KEY SHARE");
  const exists = await transaction.category.findUnique({ where: { id }, select: { id: true } });
  if (!exists)
    throw ValidationError.forField("categoryId", `category ${publicId("Category", id)} does not exist`);
  return id;
}

function placement(product: Pick<Product, "status" | "categoryId">): ProductPlacement {
  return { status: product.status, categoryId: product.categoryId };
}

/** The API fields whose values differ between two versions of a product. */
function changedFields(before: Product, after: Product): ProductField[] {
  const currencyChanged = before.currency !== after.currency;
  const differs: Record<ProductField, boolean> = {
    sku: before.sku !== after.sku,
    name: before.name !== after.name,
    description: before.description !== after.description,
    price: currencyChanged || before.priceMicros !== after.priceMicros,
    costPrice: (currencyChanged && after.costMicros != null) || before.costMicros !== after.costMicros,
    stock: before.stock !== after.stock,
    status: before.status !== after.status,
    category: before.categoryId !== after.categoryId,
  };
  return (Object.keys(differs) as ProductField[]).filter((field) => differs[field]);
}
