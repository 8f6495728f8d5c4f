import { type GraphQLObjectType, graphql, isIntrospectionType, isObjectType } from "graphql";
import { allow } from "graphql-shield";
import { beforeAll, describe, expect, it } from "vitest";
import { applyPermissions, ruleFor, ruleTree } from "../src/auth/permissions.ts";
import type { Context } from "../src/context.ts";
import type { Role } from "../src/generated/prisma/enums.ts";
import { builder } from "../src/schema/builder.ts";
import { schema } from "../src/schema/index.ts";
import { createAccount } from "../src/services/accounts.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer, TEST_PASSWORD, type TestClient } from "./helpers/server.ts";

const server = startTestServer();

type Caller = "anonymous" | "CUSTOMER" | "STAFF" | "ADMIN";
type Outcome = "allowed" | "UNAUTHENTICATED" | "FORBIDDEN";
const callers: Caller[] = ["anonymous", "CUSTOMER", "STAFF", "ADMIN"];

const everyone: Record<Caller, Outcome> = {
  anonymous: "allowed",
  CUSTOMER: "allowed",
  STAFF: "allowed",
  ADMIN: "allowed",
};
const loggedIn: Record<Caller, Outcome> = { ...everyone, anonymous: "UNAUTHENTICATED" };
const staff: Record<Caller, Outcome> = { ...loggedIn, CUSTOMER: "FORBIDDEN" };
const admins: Record<Caller, Outcome> = { ...staff, STAFF: "FORBIDDEN" };

const unknownProduct = Buffer.from("Product:999999").toString("base64");
const unknownCategory = Buffer.from("Category:999999").toString("base64");
const unknownUser = Buffer.from("User:999999").toString("base64");

/**
 * The policy, one row per Query and Mutation field and per field with a restricting rule, with
 * an operation that reaches it. Mutations use inputs that change nothing (unknown ids, invalid
 * input), so "allowed" means the rule let the request through to the resolver.
 */
const policy: Record<string, { expected: Record<Caller, Outcome>; query: string; variables?: object }> = {
  "Query.node": { expected: everyone, query: `{ node(id: "${unknownProduct}") { id } }` },
  "Query.nodes": { expected: everyone, query: `{ nodes(ids: ["${unknownProduct}"]) { id } }` },
  "Query.product": { expected: everyone, query: `{ product(id: "${unknownProduct}") { id } }` },
  "Query.productBySku": { expected: everyone, query: `{ productBySku(sku: "NONE") { id } }` },
  "Query.products": { expected: everyone, query: "{ products(first: 1) { totalCount } }" },
  "Query.category": { expected: everyone, query: `{ category(id: "${unknownCategory}") { id } }` },
  "Query.categoryBySlug": { expected: everyone, query: `{ categoryBySlug(slug: "none") { id } }` },
  "Query.categories": { expected: everyone, query: "{ categories(first: 1) { totalCount } }" },
  "Query.me": { expected: everyone, query: "{ me { id } }" },
  "Query.users": { expected: admins, query: "{ users(first: 1) { totalCount } }" },
  "Mutation.createProduct": {
    expected: staff,
    query: `mutation { createProduct(input: { sku: "", name: "", price: "1", currency: "EUR" }) { __typename } }`,
  },
  "Mutation.updateProduct": {
    expected: staff,
    query: `mutation { updateProduct(input: { id: "${unknownProduct}" }) { __typename } }`,
  },
  "Mutation.adjustStock": {
    expected: staff,
    query: `mutation { adjustStock(input: { productId: "${unknownProduct}", delta: 1 }) { __typename } }`,
  },
  "Mutation.deleteProduct": {
    expected: admins,
    query: `mutation { deleteProduct(input: { id: "${unknownProduct}" }) { __typename } }`,
  },
  "Mutation.createCategory": {
    expected: staff,
    query: `mutation { createCategory(input: { name: "" }) { __typename } }`,
  },
  "Mutation.updateCategory": {
    expected: staff,
    query: `mutation { updateCategory(input: { id: "${unknownCategory}" }) { __typename } }`,
  },
  "Mutation.deleteCategory": {
    expected: admins,
    query: `mutation { deleteCategory(input: { id: "${unknownCategory}" }) { __typename } }`,
  },
  "Mutation.signUp": {
    expected: everyone,
    query: `mutation { signUp(input: { email: "not an email", name: "x", password: "long enough" }) { __typename } }`,
  },
  "Mutation.logIn": {
    expected: everyone,
    query: `mutation { logIn(input: { email: "nobody@example.test", password: "wrong password" }) { __typename } }`,
  },
  "Mutation.refreshToken": {
    expected: everyone,
    query: `mutation { refreshToken(input: { refreshToken: "unknown" }) { __typename } }`,
  },
  "Mutation.logOut": { expected: everyone, query: `mutation { logOut(input: { refreshToken: "unknown" }) }` },
  "Mutation.changePassword": {
    expected: loggedIn,
    query: `mutation { changePassword(input: { currentPassword: "wrong password", newPassword: "new password 1" }) { __typename } }`,
  },
  // Only one's own account, or any as an admin (the own-account case: accounts.test.ts).
  "Mutation.updateUser": {
    expected: admins,
    query: `mutation { updateUser(input: { userId: "${unknownUser}", name: "Nobody" }) { __typename } }`,
  },
  "Mutation.setUserRole": {
    expected: admins,
    query: `mutation { setUserRole(input: { userId: "${unknownUser}", role: STAFF }) { __typename } }`,
  },
  "Product.costPrice": {
    expected: staff,
    query: "query ($sku: String!) { productBySku(sku: $sku) { costPrice { amount } } }",
    variables: { sku: "POLICY-1" },
  },
  // Users are reachable only as oneself (me: null when anonymous), through users (admins), and
  // in the AuthPayload of a log-in; the rule guards any path added later.
  "User.*": { expected: everyone, query: "{ me { id email name role createdAt } }" },
};

const clients = {} as Record<Caller, Pick<TestClient, "graphql">> &
  Record<Exclude<Caller, "anonymous">, TestClient>;

beforeAll(async () => {
  clients.anonymous = server;
  for (const role of ["CUSTOMER", "STAFF", "ADMIN"] as const) clients[role] = server.as(role);
  await createProduct(clients.ADMIN, {
    sku: "POLICY-1",
    name: "Policy",
    price: "10.00",
    costPrice: "4.00",
    currency: "EUR",
    status: "ACTIVE",
  });
});

/** What a caller got: the first permission error code, or "allowed". */
function outcomeOf(body: { errors?: { extensions?: { code?: string } }[] }): Outcome | string {
  const codes = (body.errors ?? []).map((error) => error.extensions?.code);
  return codes.find((code) => code === "UNAUTHENTICATED" || code === "FORBIDDEN") ?? "allowed";
}

describe("the permission matrix", () => {
  it("covers every Query and Mutation field, and every field with a restricting rule", () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}).map((field) => `${type?.name}.${field}`),
    );
    const restrictedFields = Object.entries(ruleTree)
      .filter(([typeName]) => typeName !== "Query" && typeName !== "Mutation")
      .flatMap(([typeName, rules]) =>
        Object.entries(rules)
          .filter(([, rule]) => rule !== allow)
          .map(([field]) => `${typeName}.${field}`),
      );
    expect(Object.keys(policy).sort()).toEqual([...rootFields, ...restrictedFields].sort());
  });

  for (const [field, { expected, query, variables }] of Object.entries(policy)) {
    it(`${field}: ${callers.map((caller) => `${caller} ${expected[caller]}`).join(", ")}`, async () => {
      const outcomes = Object.fromEntries(
        await Promise.all(
          callers.map(async (caller) => [
            caller,
            outcomeOf(await clients[caller].graphql(query, variables as any)),
          ]),
        ),
      );
      expect(outcomes).toEqual(expected);
    });
  }
});

describe("a refusal says why", () => {
  const updateUser = (userId: string) =>
    `mutation { updateUser(input: { userId: "${userId}", name: "X" }) { __typename } }`;
  it.each([
    ["CUSTOMER", "Only staff and admins can do this", policy["Mutation.createProduct"]?.query],
    ["STAFF", "Only admins can do this", policy["Mutation.deleteProduct"]?.query],
    ["CUSTOMER", "You can only change your own account", updateUser(unknownUser)],
    // A malformed id is nobody's own account: refused the same way, not an internal error.
    ["CUSTOMER", "You can only change your own account", updateUser("not a global id")],
  ] as const)("tells a %s: %s", async (caller, message, query) => {
    const body = await clients[caller].graphql(query ?? "");
    expect(body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ["FORBIDDEN", message],
    ]);
  });
});

describe("deny by default", () => {
  it("gives every field of every object type an explicit rule (its own or its type's '*')", () => {
    const unruled = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !isIntrospectionType(type))
      .flatMap((type) =>
        Object.keys((type as GraphQLObjectType).getFields())
          .filter((field) => {
            const rules = (ruleTree as Record<string, Record<string, unknown>>)[type.name];
            return !(rules && (field in rules || "*" in rules));
          })
          .map((field) => `${type.name}.${field}`),
      );
    expect(unruled).toEqual([]);
  });

  it("denies a field the rule tree does not mention", () => {
    expect(ruleFor(ruleTree, "Product", "someNewField")).not.toBe(allow);
    expect(ruleFor(ruleTree, "SomeNewType", "id")).not.toBe(allow);
    expect(ruleFor(ruleTree, "Product", "name")).toBe(allow);
    // A type opened whole ("*") opens each of its fields.
    expect(ruleFor(ruleTree, "Money", "amount")).toBe(allow);
  });
});

describe("who sees which products", () => {
  beforeAll(async () => {
    for (const [sku, status] of [
      ["SEEN-DRAFT", "DRAFT"],
      ["SEEN-ARCHIVED", "ARCHIVED"],
    ] as const) {
      await clients.ADMIN.graphql(
        `mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename } }`,
        { input: { sku, name: sku, price: "1.00", currency: "EUR", status } },
      );
    }
  });

  const listQuery = `{ products(first: 50) { totalCount edges { node { sku status } } } }`;

  it("hides DRAFT and ARCHIVED products from anonymous and customers: not in lists, counts or lookups", async () => {
    for (const caller of ["anonymous", "CUSTOMER"] as const) {
      const list = await clients[caller].graphql(listQuery);
      const skus = list.data?.products.edges.map((edge: any) => edge.node.sku);
      expect(skus, caller).toContain("POLICY-1");
      expect(skus, caller).not.toContain("SEEN-DRAFT");
      expect(skus, caller).not.toContain("SEEN-ARCHIVED");
      expect(list.data?.products.totalCount, caller).toBe(skus.length);
      const lookup = await clients[caller].graphql(`{ productBySku(sku: "SEEN-DRAFT") { sku } }`);
      expect(lookup.data?.productBySku, caller).toBeNull();
    }
  });

  it("shows every product to staff and admins, also by node id", async () => {
    for (const caller of ["STAFF", "ADMIN"] as const) {
      const list = await clients[caller].graphql(listQuery);
      const skus = list.data?.products.edges.map((edge: any) => edge.node.sku);
      expect(skus, caller).toEqual(expect.arrayContaining(["POLICY-1", "SEEN-DRAFT", "SEEN-ARCHIVED"]));
    }
    const draft = await clients.STAFF.graphql(`{ productBySku(sku: "SEEN-DRAFT") { id } }`);
    const id = draft.data?.productBySku.id;
    const asStaff = await clients.STAFF.graphql(`query ($id: ID!) { node(id: $id) { id } }`, { id });
    expect(asStaff.data?.node).toEqual({ id });
    const asCustomer = await clients.CUSTOMER.graphql(`query ($id: ID!) { node(id: $id) { id } }`, { id });
    expect(asCustomer.data?.node).toBeNull();
    expect(asCustomer.errors).toBeUndefined();
  });

  it("shows the cost price to staff only", async () => {
    const query = `{ productBySku(sku: "POLICY-1") { costPrice { amount currency } } }`;
    const asStaff = await clients.STAFF.graphql(query);
    expect(asStaff.data?.productBySku.costPrice).toEqual({ amount: "4.00", currency: "EUR" });
    const asCustomer = await clients.CUSTOMER.graphql(query);
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(asCustomer.data)).not.toContain("4.00");
  });
});

describe("the User rule guards a path to accounts added later", () => {
  // Today every path to a User has a root rule of its own (me, users, the account mutations), so
  // only a path without one shows what the type's rule does: here `users`, opened to everyone,
  // over a database whose first account (first in the list) is the caller's own.
  const accounts = startTestServer();
  const openedSchema = applyPermissions(builder.toSchema(), {
    ...ruleTree,
    Query: { ...ruleTree.Query, users: allow },
  });
  const users = {} as Record<Role, { id: number; email: string }>;
  beforeAll(async () => {
    for (const role of ["CUSTOMER", "STAFF", "ADMIN"] as const) {
      const email = `first-${role.toLowerCase()}@example.test`;
      const { id } = await createAccount(accounts.app, { email, name: role, password: TEST_PASSWORD }, role);
      users[role] = { id, email };
    }
  });

  function usersAs(caller: Caller) {
    const user = caller === "anonymous" ? null : { id: users[caller].id, role: caller };
    const contextValue = { config: accounts.app.config, prisma: accounts.app.prisma, user } as Context;
    return graphql({
      schema: openedSchema,
      source: "{ users(first: 100) { edges { node { id email name role createdAt } } } }",
      contextValue,
    });
  }

  it("control: admins read every account through it", async () => {
    const result = await usersAs("ADMIN");
    expect(result.errors).toBeUndefined();
    const emails = (result.data as any).users.edges.map((edge: any) => edge.node.email);
    expect(emails).toEqual(Object.values(users).map((account) => account.email));
  });

  it.each([
    ["CUSTOMER", "FORBIDDEN"],
    ["STAFF", "FORBIDDEN"],
    ["anonymous", "UNAUTHENTICATED"],
  ] as const)(
    "refuses %s the accounts of others (%s), each decided on its own, and hands out none of their fields",
    async (caller, code) => {
      const result = await usersAs(caller);
      expect(result.errors?.length).toBeGreaterThan(0);
      expect(new Set(result.errors?.map((error) => error.extensions?.code))).toEqual(new Set([code]));
      if (code === "FORBIDDEN") expect(result.errors?.[0]?.message).toBe("You can only see your own account");
      const text = JSON.stringify(result.data);
      for (const role of ["STAFF", "ADMIN"] as const) {
        if (role !== caller) expect(text).not.toContain(users[role].email);
      }
    },
  );
});

describe("updateUser decides each account on its own, also within one request", () => {
  it("lets a customer rename themself and refuses the next account in the same request", async () => {
    const own = await clients.CUSTOMER.session();
    const body = await clients.CUSTOMER.graphql(
      `mutation ($own: ID!, $other: ID!) {
        own: updateUser(input: { userId: $own, name: "Renamed" }) { __typename }
        other: updateUser(input: { userId: $other, name: "Renamed" }) { __typename }
      }`,
      { own: own.userId, other: (await clients.STAFF.session()).userId },
    );
    // The refusal nulls the whole answer (mutation fields are non-null); the rename still ran.
    expect(body.errors?.map((error) => [error.path?.[0], error.extensions?.code])).toEqual([
      ["other", "FORBIDDEN"],
    ]);
    const me = await clients.CUSTOMER.graphql("{ me { name } }");
    expect(me.data?.me.name).toBe("Renamed");
  });
});
