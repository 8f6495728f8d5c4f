import { filter, map, pipe } from "graphql-yoga";
import type { Context } from "../context.ts";
import { inSubtree } from "../db/category-tree.ts";
import { MAX_SEARCH_LENGTH } from "../db/statement-limits.ts";
import { decimalToMicros, MAX_AMOUNT_UNITS } from "../domain/money.ts";
import { searchTerm } from "../domain/search-text.ts";
import { type ProductChangeView, productChangeSeenBy, visibleProducts } from "../domain/visibility.ts";
import { InsufficientStockError, publicId, ValidationError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ProductEvent, ProductPlacement } from "../services/events.ts";
import * as products from "../services/products.ts";
import { builder } from "./builder.ts";
import { checkPageArgs, defaultPageSize, OrderDirection } from "./connections.ts";
import { mutationErrors } from "./errors.ts";
import { Money } from "./money.ts";
import { decodeNodeId, decodeOptionalNodeId, nodeKey } from "./node-ids.ts";

// ---------------------------------------------------------------------------------------------
// Types

export const ProductStatus = builder.enumType("ProductStatus", {
  values: {
    DRAFT: { description: "Being prepared; not for sale yet." },
    ACTIVE: { description: "For sale." },
    ARCHIVED: { description: "No longer sold; kept for history." },
  } as const,
});

export const Product = builder.prismaNode("Product", {
  id: { field: "id" },
  description: "A sellable item of the catalog.",
  // node(id) and nodes(ids) answer null for a product this request may not see.
  nullable: true,
  findUnique: (id, context) => ({ id: nodeKey(id), ...visibleProducts(context) }),
  fields: (t) => ({
    sku: t.exposeString("sku", { description: "Stock keeping unit: unique, upper case." }),
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    price: t.field({
      type: Money,
      resolve: (product) => ({ micros: product.priceMicros, currency: product.currency }),
    }),
    costPrice: t.field({
      type: Money,
      nullable: true,
      description: "What the product costs us, in its price currency. Staff and admins only.",
      resolve: (product) =>
        product.costMicros == null ? null : { micros: product.costMicros, currency: product.currency },
    }),
    stock: t.exposeInt("stock", { description: "Units on hand; never negative." }),
    status: t.expose("status", { type: ProductStatus }),
    category: t.relation("category", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Queries

const PriceRange = builder.inputType("PriceRange", {
  description: "Inclusive bounds on the price amount (any currency; amounts are not converted).",
  fields: (t) => ({
    min: t.field({ type: "Decimal", required: false }),
    max: t.field({ type: "Decimal", required: false }),
  }),
});

const ProductFilter = builder.inputType("ProductFilter", {
  fields: (t) => ({
    search: t.string({
      required: false,
      description: `Matches products whose name or description contains this text (case-insensitive; at most ${MAX_SEARCH_LENGTH} characters).`,
    }),
    categoryId: t.id({ required: false }),
    includeSubcategories: t.boolean({
      required: false,
      defaultValue: false,
      description: "With categoryId: also match products of every category below it.",
    }),
    price: t.field({ type: PriceRange, required: false }),
    inStock: t.boolean({ required: false, description: "true: stock > 0; false: stock = 0." }),
    status: t.field({ type: [ProductStatus], required: false, description: "Any of these statuses." }),
  }),
});

const ProductOrderField = builder.enumType("ProductOrderField", {
  values: ["NAME", "PRICE", "CREATED_AT"] as const,
});

const ProductOrder = builder.inputType("ProductOrder", {
  description: "Sort order; ties are broken by id in the same direction, so pages are stable.",
  fields: (t) => ({
    field: t.field({ type: ProductOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: false, defaultValue: "ASC" }),
  }),
});

type ProductFilterInput = typeof ProductFilter.$inferInput;
type ProductOrderInput = typeof ProductOrder.$inferInput;

const orderColumns = { NAME: "name", PRICE: "priceMicros", CREATED_AT: "createdAt" } as const;

function productOrderBy(order: ProductOrderInput | null | undefined) {
  const direction = order?.direction === "DESC" ? "desc" : "asc";
  const column = orderColumns[order?.field ?? "CREATED_AT"];
  return [{ [column]: direction }, { id: direction }] satisfies Prisma.ProductOrderByWithRelationInput[];
}

function priceBound(value: string | null | undefined, field: string): bigint | undefined {
  if (value == null) return undefined;
  let micros: bigint;
  try {
    micros = decimalToMicros(value);
  } catch (error) {
    throw ValidationError.forField(field, (error as Error).message);
  }
  // Beyond any price, and beyond the 64-bit column SQL compares it with.
  if (micros > MAX_AMOUNT_UNITS * 1_000_000n || micros < -MAX_AMOUNT_UNITS * 1_000_000n) {
    throw ValidationError.forField(field, `must be between -${MAX_AMOUNT_UNITS} and ${MAX_AMOUNT_UNITS}`);
  }
  return micros;
}

function productWhere(
  filter: ProductFilterInput | null | undefined,
  context: Context,
): Prisma.ProductWhereInput {
  const conditions: Prisma.ProductWhereInput[] = [visibleProducts(context)];
  if (!filter) return { AND: conditions };
  if ((filter.search?.length ?? 0) > MAX_SEARCH_LENGTH) {
    throw ValidationError.forField("filter.search", `must be at most ${MAX_SEARCH_LENGTH} characters`);
  }
  const search = searchTerm(filter.search ?? "");
  if (search) conditions.push({ searchText: { contains: search } });
  if (filter.categoryId != null) {
    const categoryId = decodeNodeId("Category", String(filter.categoryId), "filter.categoryId");
    conditions.push(filter.includeSubcategories ? { category: inSubtree(categoryId) } : { categoryId });
  }
  const min = priceBound(filter.price?.min, "filter.price.min");
  const max = priceBound(filter.price?.max, "filter.price.max");
  if (min !== undefined || max !== undefined) {
    conditions.push({ priceMicros: { gte: min, lte: max } });
  }
  if (filter.inStock != null) {
    conditions.push({ stock: filter.inStock ? { gt: 0 } : 0 });
  }
  if (filter.status?.length) {
    // Deduplicated: a list repeating one status thousands of times would exceed SQLite's 999 bound values.
    conditions.push({ status: { in: [...new Set(filter.status)] } });
  }
  return { AND: conditions };
}

builder.queryFields((t) => ({
  product: t.prismaField({
    type: "Product",
    nullable: true,
    description: "A product by id; null when there is none.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.product.findUnique({
        ...query,
        where: { id: decodeNodeId("Product", String(args.id), "id"), ...visibleProducts(context) },
      }),
  }),
  productBySku: t.prismaField({
    type: "Product",
    nullable: true,
    description: "A product by its sku (case-insensitive); null when there is none.",
    args: { sku: t.arg.string({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.product.findUnique({
        ...query,
        where: { sku: args.sku.trim().toUpperCase(), ...visibleProducts(context) },
      }),
  }),
  products: t.prismaConnection(
    {
      type: "Product",
      cursor: "id",
      description: "Products matching the filter; oldest first unless orderBy says otherwise.",
      args: {
        filter: t.arg({ type: ProductFilter, required: false }),
        orderBy: t.arg({ type: ProductOrder, required: false }),
      },
      maxSize: checkPageArgs,
      defaultSize: defaultPageSize,
      totalCount: (_connection, args, context) =>
        context.prisma.product.count({ where: productWhere(args.filter, context) }),
      resolve: (query, _root, args, context) =>
        context.prisma.product.findMany({
          ...query,
          where: productWhere(args.filter, context),
          orderBy: productOrderBy(args.orderBy),
        }),
    },
    { name: "ProductConnection" },
    { name: "ProductEdge" },
  ),
}));

// ---------------------------------------------------------------------------------------------
// Mutations

const CreateProductInput = builder.inputType("CreateProductInput", {
  fields: (t) => ({
    sku: t.string({ required: true }),
    name: t.string({ required: true }),
    description: t.string({ required: false }),
    price: t.field({ type: "Decimal", required: true, description: 'e.g. "12.50"' }),
    costPrice: t.field({
      type: "Decimal",
      required: false,
      description: "In the same currency; staff only.",
    }),
    currency: t.string({ required: true, description: "ISO 4217 code, e.g. EUR" }),
    stock: t.int({ required: false, defaultValue: 0 }),
    status: t.field({ type: ProductStatus, required: false, defaultValue: "DRAFT" }),
    categoryId: t.id({ required: false }),
  }),
});

const UpdateProductInput = builder.inputType("UpdateProductInput", {
  description: "Only the fields given are changed; categoryId: null removes the category.",
  fields: (t) => ({
    id: t.id({ required: true }),
    sku: t.string({ required: false }),
    name: t.string({ required: false }),
    description: t.string({ required: false }),
    price: t.field({ type: "Decimal", required: false }),
    costPrice: t.field({ type: "Decimal", required: false, description: "null removes it." }),
    currency: t.string({ required: false }),
    stock: t.int({ required: false }),
    status: t.field({ type: ProductStatus, required: false }),
    categoryId: t.id({ required: false }),
  }),
});

const DeleteProductInput = builder.inputType("DeleteProductInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const AdjustStockInput = builder.inputType("AdjustStockInput", {
  fields: (t) => ({
    productId: t.id({ required: true }),
    delta: t.int({
      required: true,
      description: "Units to add (positive) or remove (negative). Refused if stock would go below zero.",
    }),
  }),
});

builder.mutationFields((t) => ({
  createProduct: t.field({
    type: Product,
    errors: { ...mutationErrors, dataField: { name: "product" } },
    args: { input: t.arg({ type: CreateProductInput, required: true }) },
    resolve: (_root, { input }, context) =>
      products.createProduct(context, {
        ...input,
        categoryId: decodeOptionalNodeId("Category", input.categoryId, "categoryId"),
      }),
  }),
  updateProduct: t.field({
    type: Product,
    errors: { ...mutationErrors, dataField: { name: "product" } },
    args: { input: t.arg({ type: UpdateProductInput, required: true }) },
    resolve: (_root, { input }, context) =>
      products.updateProduct(context, decodeNodeId("Product", String(input.id), "id"), {
        ...input,
        categoryId: decodeOptionalNodeId("Category", input.categoryId, "categoryId"),
      }),
  }),
  deleteProduct: t.field({
    type: "ID",
    errors: { ...mutationErrors, dataField: { name: "deletedProductId" } },
    args: { input: t.arg({ type: DeleteProductInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await products.deleteProduct(context, decodeNodeId("Product", String(input.id), "id"));
      return input.id;
    },
  }),
  adjustStock: t.field({
    type: Product,
    errors: { types: [...mutationErrors.types, InsufficientStockError], dataField: { name: "product" } },
    args: { input: t.arg({ type: AdjustStockInput, required: true }) },
    resolve: (_root, { input }, context) =>
      products.adjustStock(context, decodeNodeId("Product", String(input.productId), "productId"), input),
  }),
}));

// ---------------------------------------------------------------------------------------------
// Subscriptions

const ProductChangeKind = builder.enumType("ProductChangeKind", {
  description: "What happened to a product, as the subscriber may see it.",
  values: {
    CREATED: { description: "The product was created." },
    UPDATED: {
      description:
        "The fields in `changed` changed. Also how a product arrives that has just become visible to the subscriber (published) or moved into the watched category.",
    },
    STOCK_CHANGED: { description: "The stock was adjusted by `stockDelta` units." },
    DELETED: {
      description:
        "The product is gone from what the subscription shows: deleted, no longer visible to the subscriber (no longer ACTIVE, for customers and anonymous subscribers), or moved out of the watched category. `product` is null.",
    },
  } as const,
});

const ProductField = builder.enumType("ProductField", {
  values: {
    SKU: { value: "sku" },
    NAME: { value: "name" },
    DESCRIPTION: { value: "description" },
    PRICE: { value: "price" },
    COST_PRICE: { value: "costPrice", description: "Listed for staff and admins only." },
    STOCK: { value: "stock" },
    STATUS: { value: "status" },
    CATEGORY: { value: "category" },
  } as const,
});

const ProductChange = builder
  .objectRef<ProductChangeView & { productId: number }>("ProductChange")
  .implement({
    description: "One change of a product, as the subscriber may see it.",
    fields: (t) => ({
      kind: t.expose("kind", { type: ProductChangeKind }),
      productId: t.id({ resolve: (change) => publicId("Product", change.productId) }),
      product: t.prismaField({
        type: Product,
        nullable: true,
        description:
          "The product as it is now, read when the change is delivered; null when DELETED (or hidden since).",
        resolve: (query, change, _args, context) =>
          change.kind === "DELETED"
            ? null
            : context.prisma.product.findUnique({
                ...query,
                where: { id: change.productId, ...visibleProducts(context) },
              }),
      }),
      changed: t.field({
        type: [ProductField],
        description: "UPDATED: the fields whose values changed; STOCK_CHANGED: STOCK; otherwise empty.",
        resolve: (change) => change.changed,
      }),
      stockDelta: t.exposeInt("stockDelta", {
        nullable: true,
        description: "STOCK_CHANGED: units added (or removed).",
      }),
    }),
  });

type ProductWatch = { productId?: number | null; categoryId?: number | null; includeSubcategories: boolean };

/**
 * Which placements (before or after an event) the subscription watches. Subcategories are
 * looked up when the event arrives, so a move in the category tree counts from then on.
 */
async function watchedPlacements(
  context: Context,
  watch: ProductWatch,
  event: ProductEvent,
): Promise<(placement: ProductPlacement) => boolean> {
  const { categoryId } = watch;
  if (watch.productId != null && event.productId !== watch.productId) return () => false;
  if (categoryId == null) return () => true;
  if (!watch.includeSubcategories) return (placement) => placement.categoryId === categoryId;
  const placements = [...("was" in event ? [event.was] : []), ...("now" in event ? [event.now] : [])];
  const ids = [...new Set(placements.map((placement) => placement.categoryId))].filter((id) => id != null);
  const inTree = ids.length
    ? await context.prisma.category.findMany({
        where: { id: { in: ids }, ...inSubtree(categoryId) },
        select: { id: true },
      })
    : [];
  const watched = new Set(inTree.map((category) => category.id));
  return (placement) => placement.categoryId != null && watched.has(placement.categoryId);
}

builder.subscriptionFields((t) => ({
  productChanged: t.field({
    type: ProductChange,
    description:
      "Every change of a product the subscriber may see, as it commits; optionally only one product, or the products of one category (with its subcategories when asked). Visibility is as for queries: customers and anonymous subscribers see ACTIVE products only, and never costPrice.",
    args: {
      productId: t.arg.id({ required: false }),
      categoryId: t.arg.id({ required: false }),
      includeSubcategories: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: "With categoryId: also the products of every category below it.",
      }),
    },
    subscribe: (_root, args, context) => {
      const watch: ProductWatch = {
        productId: decodeOptionalNodeId("Product", args.productId, "productId"),
        categoryId: decodeOptionalNodeId("Category", args.categoryId, "categoryId"),
        includeSubcategories: args.includeSubcategories ?? false,
      };
      return pipe(
        context.events.subscribe("productChanged"),
        map(async (event) => {
          const view = productChangeSeenBy(context, event, await watchedPlacements(context, watch, event));
          return view && { ...view, productId: event.productId };
        }),
        filter((change) => change !== null),
      );
    },
    resolve: (change) => change,
  }),
}));
