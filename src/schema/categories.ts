import { filter, map, pipe } from "graphql-yoga";
import { visibleProducts } from "../domain/visibility.ts";
import { publicId } from "../errors.ts";
import * as categories from "../services/categories.ts";
import type { CategoryField as CategoryFieldName } from "../services/events.ts";
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

// ---------------------------------------------------------------------------------------------
// Subscriptions

const CategoryChangeKind = builder.enumType("CategoryChangeKind", {
  values: {
    CREATED: { description: "The category was created." },
    UPDATED: { description: "The fields in `changed` changed." },
    DELETED: { description: "The category was deleted. `category` is null." },
  } as const,
});

const CategoryField = builder.enumType("CategoryField", {
  values: {
    NAME: { value: "name" },
    SLUG: { value: "slug" },
    PARENT: { value: "parent", description: "The category moved, with everything below it." },
  } as const,
});

type CategoryChangeShape = {
  kind: "CREATED" | "UPDATED" | "DELETED";
  categoryId: number;
  changed: CategoryFieldName[];
};

const CategoryChange = builder.objectRef<CategoryChangeShape>("CategoryChange").implement({
  description: "One change of a category.",
  fields: (t) => ({
    kind: t.expose("kind", { type: CategoryChangeKind }),
    categoryId: t.id({ resolve: (change) => publicId("Category", change.categoryId) }),
    category: t.prismaField({
      type: Category,
      nullable: true,
      description: "The category as it is now, read when the change is delivered; null when DELETED.",
      resolve: (query, change, _args, context) =>
        change.kind === "DELETED"
          ? null
          : context.prisma.category.findUnique({ ...query, where: { id: change.categoryId } }),
    }),
    changed: t.field({
      type: [CategoryField],
      description: "UPDATED: the fields whose values changed; otherwise empty.",
      resolve: (change) => change.changed,
    }),
  }),
});

const kinds = { created: "CREATED", updated: "UPDATED", deleted: "DELETED" } as const;

builder.subscriptionFields((t) => ({
  categoryChanged: t.field({
    type: CategoryChange,
    description: "Every change of a category, as it commits; optionally of one category only.",
    args: { categoryId: t.arg.id({ required: false }) },
    subscribe: (_root, args, context) => {
      const categoryId = decodeOptionalNodeId("Category", args.categoryId, "categoryId");
      return pipe(
        context.events.subscribe("categoryChanged"),
        // An update that changed nothing is not news.
        filter(
          (event) =>
            (categoryId == null || event.categoryId === categoryId) &&
            !(event.kind === "updated" && event.changed.length === 0),
        ),
        map(
          (event): CategoryChangeShape => ({
            kind: kinds[event.kind],
            categoryId: event.categoryId,
            changed: event.kind === "updated" ? event.changed : [],
          }),
        ),
      );
    },
    resolve: (change) => change,
  }),
}));
