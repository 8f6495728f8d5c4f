import type { GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { allow, deny, type IRules, rule, shield } from "graphql-shield";
import type { Context } from "../context.ts";
import { AuthenticationError, ForbiddenError } from "../errors.ts";
import { decodeNodeId } from "../schema/node-ids.ts";

/**
 * Who may do what: the whole policy, mirroring the schema. Anything not listed is denied
 * (fallbackRule: deny), so a new field is unreachable until it is given a rule here.
 *
 * Shield can only allow or refuse a field, not filter a list, so which rows a request may see is
 * the filter visibleProducts (src/domain/visibility.ts), which every product read applies.
 */

// Rules are cached per request ("contextual": the cache lives on that request's context), so
// one user's decision can never answer another user's request.

const isAuthenticated = rule({ cache: "contextual" })((_parent, _args, context: Context) =>
  context.user ? true : new AuthenticationError(),
);

const isStaff = rule({ cache: "contextual" })((_parent, _args, context: Context) => {
  if (!context.user) return new AuthenticationError();
  return context.user.role === "STAFF" || context.user.role === "ADMIN"
    ? true
    : new ForbiddenError("Only staff and admins can do this");
});

const isAdmin = rule({ cache: "contextual" })((_parent, _args, context: Context) => {
  if (!context.user) return new AuthenticationError();
  return context.user.role === "ADMIN" ? true : new ForbiddenError("Only admins can do this");
});

/**
 * On User fields: the user themself, or an admin. The user in an AuthPayload is also readable:
 * that payload only ever answers credentials the request just proved.
 */
const isSelfOrAdmin = rule({ cache: "no_cache" })((user: { id: number }, _args, context: Context, info) => {
  if (info.path.prev?.typename === "AuthPayload") return true;
  if (!context.user) return new AuthenticationError();
  return context.user.id === user.id || context.user.role === "ADMIN"
    ? true
    : new ForbiddenError("You can only see your own account");
});

/**
 * On mutations of one account (input.userId): the user themself, or an admin. An id that is not
 * a User id is nobody's own; the resolver answers it with a ValidationError for admins.
 */
const isInputUserSelfOrAdmin = rule({ cache: "strict" })(
  (_parent, args: { input: { userId: string } }, context: Context) => {
    if (!context.user) return new AuthenticationError();
    if (context.user.role === "ADMIN") return true;
    return isIdOf(args.input.userId, context.user.id)
      ? true
      : new ForbiddenError("You can only change your own account");
  },
);

function isIdOf(globalId: string, userId: number): boolean {
  try {
    return decodeNodeId("User", globalId, "userId") === userId;
  } catch {
    return false;
  }
}

/** Every field of the type is open to whoever could reach the object. */
const open = { "*": allow };

/** These fields, and only these, are open; the type's other fields stay denied. */
function openFields(...names: string[]): Record<string, IRules> {
  return Object.fromEntries(names.map((name) => [name, allow]));
}

export const ruleTree = {
  Query: {
    node: allow,
    nodes: allow,
    product: allow,
    productBySku: allow,
    products: allow,
    category: allow,
    categoryBySlug: allow,
    categories: allow,
    me: allow,
    users: isAdmin,
  },
  Mutation: {
    createProduct: isStaff,
    updateProduct: isStaff,
    adjustStock: isStaff,
    deleteProduct: isAdmin,
    createCategory: isStaff,
    updateCategory: isStaff,
    deleteCategory: isAdmin,
    signUp: allow,
    logIn: allow,
    refreshToken: allow,
    logOut: allow,
    changePassword: isAuthenticated,
    updateUser: isInputUserSelfOrAdmin,
    setUserRole: isAdmin,
  },
  // Live updates show what queries show: productChanged filters by the subscriber's visibility
  // (src/domain/visibility.ts), and the entities they carry pass the rules below.
  Subscription: {
    productChanged: allow,
    categoryChanged: allow,
  },
  Product: {
    ...openFields(
      "id",
      "sku",
      "name",
      "description",
      "price",
      "stock",
      "status",
      "category",
      "createdAt",
      "updatedAt",
    ),
    costPrice: isStaff,
  },
  Category: openFields("id", "name", "slug", "parent", "children", "products", "createdAt", "updatedAt"),
  User: { "*": isSelfOrAdmin },
  // Shapes around the data above: reaching them already passed the rules that matter.
  AuthPayload: open,
  ProductChange: open,
  CategoryChange: open,
  Money: open,
  PageInfo: open,
  FieldError: open,
  ProductConnection: open,
  ProductEdge: open,
  CategoryConnection: open,
  CategoryEdge: open,
  CategoryProductsConnection: open,
  CategoryProductsConnectionEdge: open,
  UserConnection: open,
  UserEdge: open,
  CreateProductPayload: open,
  UpdateProductPayload: open,
  DeleteProductPayload: open,
  AdjustStockPayload: open,
  CreateCategoryPayload: open,
  UpdateCategoryPayload: open,
  DeleteCategoryPayload: open,
  SetUserRolePayload: open,
  UpdateUserPayload: open,
  ValidationError: open,
  NotFoundError: open,
  ConflictError: open,
  InsufficientStockError: open,
  AuthenticationError: open,
} satisfies Record<string, Record<string, IRules>>;

export type RuleTree = Record<string, Record<string, IRules>>;

/** The rule a field gets: its own, else its type's "*", else deny. */
export function ruleFor(tree: RuleTree, typeName: string, fieldName: string): IRules {
  const rules = tree[typeName];
  return rules?.[fieldName] ?? rules?.["*"] ?? deny;
}

/**
 * Applies the rule tree with graphql-shield. Shield would wrap every field of every type in
 * async middleware (a promise per field per row of a list); fields whose rule is a plain `allow`
 * are left unwrapped (nothing to check), while every other field, including each unlisted one
 * (fallback deny), is wrapped. `npm run bench` measures both against no permission layer.
 */
export function applyPermissions(schema: GraphQLSchema, tree: RuleTree = ruleTree): GraphQLSchema {
  const middleware = shield(tree as IRules, {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError("No permission rule opens this field"),
    // Errors thrown by resolvers themselves (validation, not found) must reach the client as they are.
    allowExternalErrors: true,
  }).generate(schema) as Record<string, Record<string, unknown>>;
  for (const [typeName, fields] of Object.entries(middleware)) {
    for (const fieldName of Object.keys(fields)) {
      if (ruleFor(tree, typeName, fieldName) === allow) delete fields[fieldName];
    }
  }
  // biome-ignore lint/suspicious/noExplicitAny: graphql-middleware types a field map loosely.
  return applyMiddleware(schema, middleware as any);
}
