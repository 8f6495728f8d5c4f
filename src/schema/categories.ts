import { z } from "zod";
import { visibleProducts } from "../auth/permissions.ts";
import { createInTree, moveInTree, type TreePosition } from "../db/category-tree.ts";
import { conflictOnUnique } from "../db/unique-conflicts.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { validateInput } from "../validation.ts";
import { builder } from "./builder.ts";
import { checkPageArgs, defaultPageSize } from "./connections.ts";
import { mutationErrors } from "./errors.ts";
import { decodeNodeId, nodeKey } from "./node-ids.ts";

// ---------------------------------------------------------------------------------------------
// Types

export const Category = builder.prismaNode("Category", {
  id: { field: "id" },
  description: "A group of products. Categories form a tree through parent.",
  // node(id) and nodes(ids) answer null for an unknown category, as for any unknown id.
  nullable: true,
  findUnique: (id) => ({ id: nodeKey(id) }),
  fields: (t) => ({
    name: t.exposeString("name"),
    slug: t.exposeString("slug", { description: "URL-safe unique name, e.g. kitchen-tools." }),
    parent: t.relation("parent", { nullable: true }),
    children: t.relation("children", {
      description: "The categories directly below this one, by name.",
      query: { orderBy: [{ name: "asc" }, { id: "asc" }] },
    }),
    products: t.relatedConnection("products", {
      cursor: "id",
      description: "The products directly in this category that the request may see, oldest first.",
      maxSize: checkPageArgs,
      defaultSize: defaultPageSize,
      totalCount: true,
      query: (_args, context) => ({
        where: visibleProducts(context),
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Queries

builder.queryFields((t) => ({
  category: t.prismaField({
    type: "Category",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.category.findUnique({
        ...query,
        where: { id: decodeNodeId("Category", String(args.id), "id") },
      }),
  }),
  categoryBySlug: t.prismaField({
    type: "Category",
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.category.findUnique({ ...query, where: { slug: args.slug.trim().toLowerCase() } }),
  }),
  categories: t.prismaConnection(
    {
      type: "Category",
      cursor: "id",
      description: "All categories by name; topLevelOnly limits them to those without a parent.",
      args: { topLevelOnly: t.arg.boolean({ required: false, defaultValue: false }) },
      maxSize: checkPageArgs,
      defaultSize: defaultPageSize,
      totalCount: (_connection, args, context) =>
        context.prisma.category.count({ where: args.topLevelOnly ? { parentId: null } : {} }),
      resolve: (query, _root, args, context) =>
        context.prisma.category.findMany({
          ...query,
          where: args.topLevelOnly ? { parentId: null } : {},
          orderBy: [{ name: "asc" }, { id: "asc" }],
        }),
    },
    { name: "CategoryConnection" },
    { name: "CategoryEdge" },
  ),
}));

// ---------------------------------------------------------------------------------------------
// Mutations

const name = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lower-case letters and digits separated by single '-'")
  .max(100, "must be at most 100 characters");

/** "Kitchen & Dining" → "kitchen-dining". */
function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const categoryUniqueFields = ["name", "slug"];

/** The parent an input names: undefined when not given, null for "top level". */
async function resolveParent(
  client: Prisma.TransactionClient,
  globalId: string | number | null | undefined,
): Promise<TreePosition | null | undefined> {
  if (globalId == null) return globalId === null ? null : undefined;
  const id = decodeNodeId("Category", String(globalId), "parentId");
  const parent = await client.category.findUnique({ where: { id }, select: { id: true, path: true } });
  if (!parent) throw ValidationError.forField("parentId", `category ${globalId} does not exist`);
  return parent;
}

const CreateCategoryInput = builder.inputType("CreateCategoryInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: false, description: "Derived from name when omitted." }),
    parentId: t.id({ required: false }),
  }),
});

const UpdateCategoryInput = builder.inputType("UpdateCategoryInput", {
  description: "Only the fields given are changed; parentId: null makes it a top-level category.",
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false }),
    slug: t.string({ required: false }),
    parentId: t.id({ required: false }),
  }),
});

const DeleteCategoryInput = builder.inputType("DeleteCategoryInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  createCategory: t.field({
    type: Category,
    errors: { ...mutationErrors, dataField: { name: "category" } },
    args: { input: t.arg({ type: CreateCategoryInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const data = validateInput(z.object({ name, slug }), {
        name: input.name,
        slug: input.slug ?? slugify(input.name),
      });
      return context.prisma.$transaction(async (transaction) => {
        const parent = await resolveParent(transaction, input.parentId);
        return conflictOnUnique(categoryUniqueFields, () => createInTree(transaction, data, parent ?? null));
      });
    },
  }),
  updateCategory: t.field({
    type: Category,
    errors: { ...mutationErrors, dataField: { name: "category" } },
    args: { input: t.arg({ type: UpdateCategoryInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const id = decodeNodeId("Category", String(input.id), "id");
      const data = validateInput(z.object({ name: name.nullish(), slug: slug.nullish() }), input);
      return context.prisma.$transaction(async (transaction) => {
        const existing = await transaction.category.findUnique({
          where: { id },
          select: { id: true, path: true },
        });
        if (!existing) throw new NotFoundError("Category", String(input.id));
        const parent = await resolveParent(transaction, input.parentId);
        if (parent !== undefined) await moveInTree(transaction, existing, parent);
        return conflictOnUnique(categoryUniqueFields, () =>
          transaction.category.update({
            where: { id },
            data: { name: data.name ?? undefined, slug: data.slug ?? undefined },
          }),
        );
      });
    },
  }),
  deleteCategory: t.field({
    type: "ID",
    errors: { ...mutationErrors, dataField: { name: "deletedCategoryId" } },
    args: { input: t.arg({ type: DeleteCategoryInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const id = decodeNodeId("Category", String(input.id), "id");
      await context.prisma.$transaction(async (transaction) => {
        const category = await transaction.category.findUnique({
          where: { id },
          select: { _count: { select: { products: true, children: true } } },
        });
        if (!category) throw new NotFoundError("Category", String(input.id));
        const { products, children } = category._count;
        if (products > 0 || children > 0) {
          throw new ConflictError(
            `Category still has ${products} product(s) and ${children} subcategory(ies); move or delete them first`,
            "id",
          );
        }
        await transaction.category.delete({ where: { id } });
      });
      return input.id;
    },
  }),
}));
