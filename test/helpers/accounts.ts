import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { GraphQLResponse, TestServer } from "./server.ts";

// Signing up, logging in and reading accounts over HTTP, for the tests of accounts, sessions,
// passwords and access tokens.

const AUTH_PAYLOAD_FIELDS = `
  __typename
  ... on Error { message code }
  ... on AuthPayload {
    accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
    user { id email name role }
  }
`;
const VALIDATION_FIELDS = "... on ValidationError { fieldErrors { field message } }";

export const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${VALIDATION_FIELDS} ... on ConflictError { field } }
}`;
export const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`;
export const REFRESH = `mutation ($input: RefreshTokenInput!) { refreshToken(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`;
export const LOG_OUT = "mutation ($input: LogOutInput!) { logOut(input: $input) }";
export const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) {
  changePassword(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${VALIDATION_FIELDS} }
}`;
export const SET_USER_ROLE = `mutation ($input: SetUserRoleInput!) {
  setUserRole(input: $input) {
    __typename
    ... on Error { message code }
    ... on ValidationError { fieldErrors { field message } }
    ... on NotFoundError { id }
    ... on SetUserRolePayload { user { id email role } }
  }
}`;
export const ME = "{ me { id email name role } }";
export const PUBLIC_QUERY = "{ products(first: 1) { totalCount } }";
export const USERS_COUNT = "{ users(first: 1) { totalCount } }";

export type Payload = {
  __typename: string;
  message?: string;
  code?: string;
  field?: string;
  id?: string;
  fieldErrors?: { field: string; message: string }[];
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; name: string; role: string };
};

export const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

let emailCounter = 0;
export function uniqueEmail(prefix = "user") {
  emailCounter += 1;
  return `${prefix}-${emailCounter}-${randomUUID().slice(0, 8)}@example.test`;
}

export function expectAuthPayload(result: Payload): Payload {
  expect(result.__typename, JSON.stringify(result)).toBe("AuthPayload");
  return result;
}

/** The database id inside a User global id (base64 of "User:<id>"). */
export function databaseId(globalId: string): number {
  const [typename, id] = Buffer.from(globalId, "base64").toString("utf8").split(":");
  expect(typename).toBe("User");
  return Number(id);
}

export const globalId = (typename: string, id: number | string) =>
  Buffer.from(`${typename}:${id}`).toString("base64");

export function errorCodes(body: GraphQLResponse): string[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

export function expectRefused(body: GraphQLResponse, code: "UNAUTHENTICATED" | "FORBIDDEN") {
  expect(body.errors, JSON.stringify(body)).toBeDefined();
  expect(errorCodes(body), JSON.stringify(body)).toEqual([code]);
}

export const fieldNames = (result: Payload) => (result.fieldErrors ?? []).map((error) => error.field).sort();

export type Customer = Awaited<ReturnType<ReturnType<typeof accountsOf>["newCustomer"]>>;

/** The account operations, sent to `server`. */
export function accountsOf(server: TestServer) {
  /** Runs a mutation that answers a result union; the request itself must not fail. */
  async function mutation(
    query: string,
    input: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Payload> {
    const body = await server.graphql(query, { input }, headers);
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return Object.values(body.data ?? {})[0] as Payload;
  }

  const signUp = (input: { email: string; name: string; password: string }) => mutation(SIGN_UP, input);
  const logIn = (email: string, password: string) => mutation(LOG_IN, { email, password });
  const refresh = (refreshToken: string) => mutation(REFRESH, { refreshToken });

  async function logOut(refreshToken: string): Promise<boolean> {
    const body = await server.graphql(LOG_OUT, { input: { refreshToken } });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data?.logOut;
  }

  /** A new CUSTOMER, signed up over HTTP. */
  async function newCustomer(name = "Customer") {
    const email = uniqueEmail("customer");
    const password = `pw-${randomUUID()}`;
    const payload = expectAuthPayload(await signUp({ email, name, password }));
    return { email, password, ...payload };
  }

  async function me(accessToken: string) {
    const body = await server.graphql(ME, {}, bearer(accessToken));
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data?.me;
  }

  /** POSTs an operation over raw HTTP: the status and the parsed body. */
  async function post(
    query: string,
    headers: Record<string, string> = {},
    variables?: Record<string, unknown>,
  ) {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      wwwAuthenticate: response.headers.get("www-authenticate"),
      body: (await response.json()) as GraphQLResponse,
    };
  }

  return { mutation, signUp, logIn, refresh, logOut, newCustomer, me, post };
}
