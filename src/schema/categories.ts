import { visibleProducts } from "../domain/visibility.ts";
import * as categories from "../services/categories.ts";
import { builder } from "./builder.ts";
import { checkPageArgs, defaultPageSize } from "./connections.ts";
import { mutationErrors } from "./errors.ts";
import { decodeNodeId, decodeOptionalNodeId, nodeKey } from "./node-ids.ts";

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
    resolve: (_root, { input }, context) =>
      categories.createCategory(context, {
        ...input,
        parentId: decodeOptionalNodeId("Category", input.parentId, "parentId"),
      }),
  }),
  updateCategory: t.field({
    type: Category,
    errors: { ...mutationErrors, dataField: { name: "category" } },
    args: { input: t.arg({ type: UpdateCategoryInput, required: true }) },
    resolve: (_root, { input }, context) =>
      categories.updateCategory(context, decodeNodeId("Category", String(input.id), "id"), {
        ...input,
        parentId: decodeOptionalNodeId("Category", input.parentId, "parentId"),
      }),
  }),
  deleteCategory: t.field({
    type: "ID",
    errors: { ...mutationErrors, dataField: { name: "deletedCategoryId" } },
    args: { input: t.arg({ type: DeleteCategoryInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await categories.deleteCategory(context, decodeNodeId("Category", String(input.id), "id"));
      return input.id;
    },
  }),
}));
