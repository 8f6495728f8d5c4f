import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  accountsOf,
  bearer,
  databaseId,
  expectAuthPayload,
  expectRefused,
  fieldNames,
  globalId,
  ME,
  SET_USER_ROLE,
  USERS_COUNT,
  uniqueEmail,
} from "./helpers/accounts.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { type GraphQLResponse, startTestServer } from "./helpers/server.ts";

// Accounts: changing a user's name, email and role, and listing users.

const server = startTestServer();
const admin = server.as("ADMIN");
const { mutation, logIn, newCustomer, me, post } = accountsOf(server);

describe("updateUser", () => {
  const UPDATE_USER = `mutation ($input: UpdateUserInput!) {
    updateUser(input: $input) { ${ERROR_FIELDS} ... on UpdateUserPayload { user { id email name } } }
  }`;
  const update = (input: Record<string, unknown>, accessToken: string) =>
    mutation(UPDATE_USER, input, bearer(accessToken));

  it("lets a user rename themself, trimmed", async () => {
    const account = await newCustomer("Old Name");
    const result = await update({ userId: account.user.id, name: "  New Name  " }, account.accessToken);
    expect(result).toEqual({
      __typename: "UpdateUserPayload",
      user: { id: account.user.id, email: account.email, name: "New Name" },
    });
    expect((await me(account.accessToken)).name).toBe("New Name");
  });

  it("refuses another user's account with FORBIDDEN, changing nothing", async () => {
    const account = await newCustomer("Victim");
    const other = await newCustomer("Intruder");
    const body = await server.graphql(
      UPDATE_USER,
      { input: { userId: account.user.id, name: "Hacked" } },
      bearer(other.accessToken),
    );
    expectRefused(body, "FORBIDDEN");
    expect((await me(account.accessToken)).name).toBe("Victim");
  });

  it("refuses a STAFF caller on someone else's account too", async () => {
    const account = await newCustomer("Customer of staff");
    const { accessToken } = await server.as("STAFF").session();
    const body = await server.graphql(
      UPDATE_USER,
      { input: { userId: account.user.id, name: "Renamed by staff" } },
      bearer(accessToken),
    );
    expectRefused(body, "FORBIDDEN");
    expect((await me(account.accessToken)).name).toBe("Customer of staff");
  });

  it("needs authentication (401)", async () => {
    const account = await newCustomer("Anonymous target");
    const { status, body } = await post(UPDATE_USER, {}, { input: { userId: account.user.id, name: "X" } });
    expectRefused(body, "UNAUTHENTICATED");
    expect(status).toBe(401);
    expect((await me(account.accessToken)).name).toBe("Anonymous target");
  });

  it("asks for the current password before a user changes their own email", async () => {
    const account = await newCustomer("Mover");
    const newEmail = uniqueEmail("moved");
    for (const currentPassword of [undefined, `${account.password}-wrong`]) {
      const refused = await update(
        { userId: account.user.id, email: newEmail, currentPassword },
        account.accessToken,
      );
      expect(refused.__typename).toBe("AuthenticationError");
      expect(refused.code).toBe("UNAUTHENTICATED");
    }
    expect((await me(account.accessToken)).email).toBe(account.email);

    const moved = await update(
      { userId: account.user.id, email: `  ${newEmail.toUpperCase()} `, currentPassword: account.password },
      account.accessToken,
    );
    expect(moved.user.email).toBe(newEmail);
    expectAuthPayload(await logIn(newEmail, account.password));
    expect((await logIn(account.email, account.password)).__typename).toBe("AuthenticationError");
  });

  it("lets an admin change anyone's name and email without their password", async () => {
    const account = await newCustomer("Managed");
    const newEmail = uniqueEmail("managed");
    const { accessToken } = await admin.session();
    const result = await update(
      { userId: account.user.id, name: "Managed by admin", email: newEmail },
      accessToken,
    );
    expect(result.user).toEqual({ id: account.user.id, email: newEmail, name: "Managed by admin" });
    expectAuthPayload(await logIn(newEmail, account.password));
  });

  it("answers ConflictError on email for a taken email, in any case, changing nothing", async () => {
    const account = await newCustomer("Collider");
    const other = await newCustomer("Owner");
    const result = await update(
      { userId: account.user.id, email: other.email.toUpperCase(), currentPassword: account.password },
      account.accessToken,
    );
    expect(result).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "email" });
    expect((await me(account.accessToken)).email).toBe(account.email);
  });

  it("answers ValidationError per field for an empty name and a malformed email, changing nothing", async () => {
    const account = await newCustomer("Valid");
    const result = await update(
      { userId: account.user.id, name: "   ", email: "not-an-email", currentPassword: account.password },
      account.accessToken,
    );
    expect(result.__typename).toBe("ValidationError");
    expect(fieldNames(result)).toEqual(["email", "name"]);
    expect(await me(account.accessToken)).toMatchObject({ name: "Valid", email: account.email });
  });

  it("answers an admin NotFoundError for an unknown user and ValidationError for a product id", async () => {
    const { accessToken } = await admin.session();
    const unknown = await update({ userId: globalId("User", 999_999), name: "Nobody" }, accessToken);
    expect(unknown).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND" });
    const wrongType = await update({ userId: globalId("Product", 1), name: "Nobody" }, accessToken);
    expect(wrongType.__typename).toBe("ValidationError");
    expect(fieldNames(wrongType)).toEqual(["userId"]);
  });
});

describe("setUserRole", () => {
  const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) {
    createProduct(input: $input) { __typename ... on CreateProductPayload { product { id sku } } }
  }`;
  const productInput = () => ({
    sku: `AUTH-${randomUUID().slice(0, 8).toUpperCase()}`,
    name: "Made by a promoted user",
    price: "5.00",
    currency: "EUR",
  });

  async function setRole(userId: string, role: string) {
    const body = await admin.graphql(SET_USER_ROLE, { input: { userId, role } });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data?.setUserRole;
  }

  it("promotes a customer to STAFF, and that user's existing access token gains staff rights at once", async () => {
    const customer = await newCustomer("Soon Staff");
    const before = await server.graphql(
      CREATE_PRODUCT,
      { input: productInput() },
      bearer(customer.accessToken),
    );
    expectRefused(before, "FORBIDDEN");

    const result = await setRole(customer.user.id, "STAFF");
    expect(result).toEqual({
      __typename: "SetUserRolePayload",
      user: { id: customer.user.id, email: customer.email, role: "STAFF" },
    });

    const input = productInput();
    const after = await server.graphql(CREATE_PRODUCT, { input }, bearer(customer.accessToken));
    expect(after.errors, JSON.stringify(after.errors)).toBeUndefined();
    expect(after.data?.createProduct).toMatchObject({
      __typename: "CreateProductPayload",
      product: { sku: input.sku },
    });
    expect(await me(customer.accessToken)).toMatchObject({ role: "STAFF" });
  });

  it("demotes at once too: a demoted admin's existing token loses admin rights", async () => {
    const other = server.as("ADMIN");
    const { accessToken, userId } = await other.session();
    expect((await other.graphql(USERS_COUNT)).errors).toBeUndefined();
    expect((await setRole(userId, "CUSTOMER")).user.role).toBe("CUSTOMER");
    expectRefused(await server.graphql(USERS_COUNT, {}, bearer(accessToken)), "FORBIDDEN");
  });

  it("refuses to let an admin change their own role", async () => {
    const { userId } = await admin.session();
    const result = await setRole(userId, "CUSTOMER");
    expect(result.__typename).toBe("ValidationError");
    expect(fieldNames(result)).toEqual(["userId"]);
    // Still an admin.
    expect((await admin.graphql(USERS_COUNT)).errors).toBeUndefined();
    expect((await admin.graphql(ME)).data?.me.role).toBe("ADMIN");
  });

  it("answers NotFoundError for an unknown user and ValidationError for a non-user id", async () => {
    const unknown = globalId("User", 999_999);
    const result = await setRole(unknown, "STAFF");
    expect(result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND", id: unknown });

    for (const id of [globalId("Product", 1), "not-an-id"]) {
      const invalid = await setRole(id, "STAFF");
      expect(invalid.__typename, id).toBe("ValidationError");
      expect(fieldNames(invalid)).toEqual(["userId"]);
    }
  });

  it.each(["CUSTOMER", "STAFF"] as const)("refuses a %s caller with FORBIDDEN", async (role) => {
    const caller = server.as(role);
    const target = await newCustomer("Target");
    const body = await caller.graphql(SET_USER_ROLE, { input: { userId: target.user.id, role: "ADMIN" } });
    expectRefused(body, "FORBIDDEN");
    expect(body.data ?? null).toBeNull();
    // Nor may they promote themselves.
    const self = await caller.graphql(SET_USER_ROLE, {
      input: { userId: (await caller.session()).userId, role: "ADMIN" },
    });
    expectRefused(self, "FORBIDDEN");
    expect(await me(target.accessToken)).toMatchObject({ role: "CUSTOMER" });
    expect((await caller.graphql(ME)).data?.me.role).toBe(role);
  });

  it("refuses an anonymous caller with UNAUTHENTICATED", async () => {
    const target = await newCustomer("Target");
    const body = await server.graphql(SET_USER_ROLE, { input: { userId: target.user.id, role: "ADMIN" } });
    expectRefused(body, "UNAUTHENTICATED");
  });
});

describe("users connection", () => {
  const USERS_PAGE = `query ($after: String) {
    users(first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id email role } }
    }
  }`;

  async function allUsers() {
    const nodes: { id: string; email: string; role: string }[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const body: GraphQLResponse = await admin.graphql(USERS_PAGE, { after });
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      const page = body.data?.users;
      totalCount = page.totalCount;
      nodes.push(...page.edges.map((edge: { node: (typeof nodes)[number] }) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { nodes, totalCount };
  }

  it("shows an admin every user, oldest first, with totalCount", async () => {
    const before = await allUsers();
    const created = [await newCustomer("U1"), await newCustomer("U2"), await newCustomer("U3")];
    const after = await allUsers();

    expect(after.totalCount).toBe(before.totalCount + 3);
    expect(after.nodes).toHaveLength(after.totalCount);
    expect(after.nodes.slice(-3).map((node) => node.email)).toEqual(created.map((user) => user.email));
    const ids = after.nodes.map((node) => databaseId(node.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(after.nodes.map((node) => node.email)).toContain((await admin.session()).email);
  });

  it("refuses STAFF with FORBIDDEN", async () => {
    const body = await server.as("STAFF").graphql(USERS_COUNT);
    expectRefused(body, "FORBIDDEN");
    expect(body.data ?? null).toBeNull();
  });

  it("refuses a CUSTOMER with FORBIDDEN", async () => {
    const customer = await newCustomer();
    expectRefused(await server.graphql(USERS_COUNT, {}, bearer(customer.accessToken)), "FORBIDDEN");
  });

  it("refuses an anonymous request with UNAUTHENTICATED", async () => {
    const body = await server.graphql(USERS_COUNT);
    expectRefused(body, "UNAUTHENTICATED");
    expect(body.data ?? null).toBeNull();
  });
});
