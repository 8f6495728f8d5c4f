import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { base64url, decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { type GraphQLResponse, startTestServer } from "./helpers/server.ts";

const server = startTestServer();
const admin = server.as("ADMIN");

// ---------------------------------------------------------------------------------------------
// Helpers

const AUTH_PAYLOAD_FIELDS = `
  __typename
  ... on Error { message code }
  ... on AuthPayload {
    accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
    user { id email name role }
  }
`;
const VALIDATION_FIELDS = "... on ValidationError { fieldErrors { field message } }";

const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${VALIDATION_FIELDS} ... on ConflictError { field } }
}`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`;
const REFRESH = `mutation ($input: RefreshTokenInput!) { refreshToken(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`;
const LOG_OUT = "mutation ($input: LogOutInput!) { logOut(input: $input) }";
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) {
  changePassword(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${VALIDATION_FIELDS} }
}`;
const SET_USER_ROLE = `mutation ($input: SetUserRoleInput!) {
  setUserRole(input: $input) {
    __typename
    ... on Error { message code }
    ... on ValidationError { fieldErrors { field message } }
    ... on NotFoundError { id }
    ... on SetUserRolePayload { user { id email role } }
  }
}`;
const ME = "{ me { id email name role } }";
const PUBLIC_QUERY = "{ products(first: 1) { totalCount } }";
const USERS_COUNT = "{ users(first: 1) { totalCount } }";

type Payload = {
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

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

let emailCounter = 0;
function uniqueEmail(prefix = "user") {
  emailCounter += 1;
  return `${prefix}-${emailCounter}-${randomUUID().slice(0, 8)}@example.test`;
}

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

function expectAuthPayload(result: Payload): Payload {
  expect(result.__typename, JSON.stringify(result)).toBe("AuthPayload");
  return result;
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

/** The database id inside a User global id (base64 of "User:<id>"). */
function databaseId(globalId: string): number {
  const [typename, id] = Buffer.from(globalId, "base64").toString("utf8").split(":");
  expect(typename).toBe("User");
  return Number(id);
}

const globalId = (typename: string, id: number | string) =>
  Buffer.from(`${typename}:${id}`).toString("base64");

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

function errorCodes(body: GraphQLResponse): string[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

function expectRefused(body: GraphQLResponse, code: "UNAUTHENTICATED" | "FORBIDDEN") {
  expect(body.errors, JSON.stringify(body)).toBeDefined();
  expect(errorCodes(body), JSON.stringify(body)).toEqual([code]);
}

const fieldNames = (result: Payload) => (result.fieldErrors ?? []).map((error) => error.field).sort();

const secret = () => new TextEncoder().encode(server.app.config.auth.secretKey);
const now = () => Math.floor(Date.now() / 1000);

/** The claims a genuine access token carries, for the user with this database id. */
function claimsFor(userId: number, role = "CUSTOMER") {
  return {
    sub: String(userId),
    role,
    iss: server.app.config.auth.issuer,
    aud: server.app.config.auth.audience,
    iat: now(),
    exp: now() + 600,
  };
}

/** A JWT signed with the server's secret (unless told otherwise) with these claims and algorithm. */
async function forge(
  claims: Record<string, unknown>,
  { alg = "HS256", key = secret() }: { alg?: string; key?: Uint8Array | CryptoKey } = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

/** A JWT assembled by hand: any header, HMAC-SHA256 signature with the given key. */
function handMade(header: Record<string, unknown>, claims: Record<string, unknown>, key: string): string {
  const encode = (part: Record<string, unknown>) => base64url.encode(JSON.stringify(part));
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = createHmac("sha256", key).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}

// ---------------------------------------------------------------------------------------------

describe("signUp", () => {
  it("creates a CUSTOMER with a trimmed, lower-cased email and logs it in", async () => {
    const local = `New.User-${randomUUID().slice(0, 8)}`;
    const result = expectAuthPayload(
      await signUp({
        email: `  ${local}@Example.TEST  `,
        name: "  Ada Lovelace ",
        password: "s3cret-enough",
      }),
    );
    expect(result.user).toEqual({
      id: expect.any(String),
      email: `${local.toLowerCase()}@example.test`,
      name: "Ada Lovelace",
      role: "CUSTOMER",
    });
    expect(databaseId(result.user.id)).toBeGreaterThan(0);
    expect(result.accessToken.split(".")).toHaveLength(3);
    expect(decodeProtectedHeader(result.accessToken)).toEqual({ alg: "HS256", typ: "JWT" });
    expect(result.refreshToken).toMatch(/^[\w-]{20,}$/);
    expect(result.refreshToken).not.toBe(result.accessToken);
    for (const date of [result.accessTokenExpiresAt, result.refreshTokenExpiresAt]) {
      expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(Number.isNaN(Date.parse(date))).toBe(false);
    }

    // The stored email is the normalized one: `me` shows it, and it logs in as typed at sign-up.
    expect(await me(result.accessToken)).toEqual(result.user);
    expectAuthPayload(await logIn(`${local.toLowerCase()}@example.test`, "s3cret-enough"));
  });

  it("answers ConflictError on email for the same email in another case, and writes nothing", async () => {
    const email = uniqueEmail("taken");
    const first = expectAuthPayload(await signUp({ email, name: "First", password: "first-password" }));

    const again = await signUp({
      email: ` ${email.toUpperCase()} `,
      name: "Second",
      password: "second-password",
    });
    expect(again.__typename).toBe("ConflictError");
    expect(again.code).toBe("CONFLICT");
    expect(again.field).toBe("email");

    // The first account is untouched: its password still works, the second one does not.
    expect((await logIn(email, "second-password")).__typename).toBe("AuthenticationError");
    const logged = expectAuthPayload(await logIn(email, "first-password"));
    expect(logged.user).toEqual(first.user);
  });

  it("lets exactly one of two concurrent sign-ups with the same email succeed", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all([
      signUp({ email, name: "One", password: "password-one" }),
      signUp({ email: email.toUpperCase(), name: "Two", password: "password-two" }),
    ]);
    const typenames = results.map((result) => result.__typename).sort();
    expect(typenames, JSON.stringify(results)).toEqual(["AuthPayload", "ConflictError"]);
    const winner = results.find((result) => result.__typename === "AuthPayload") as Payload;
    const password = winner.user.name === "One" ? "password-one" : "password-two";
    const loser = winner.user.name === "One" ? "password-two" : "password-one";
    expectAuthPayload(await logIn(email, password));
    expect((await logIn(email, loser)).__typename).toBe("AuthenticationError");
  });

  const invalidInputs: [
    string,
    string,
    (email: string) => { email: string; name: string; password: string },
  ][] = [
    ["an invalid email", "email", () => ({ email: "not-an-email", name: "X", password: "long-enough-1" })],
    ["an empty name", "name", (email) => ({ email, name: "   ", password: "long-enough-1" })],
    ["a 7-character password", "password", (email) => ({ email, name: "X", password: "1234567" })],
    ["a 1025-character password", "password", (email) => ({ email, name: "X", password: "p".repeat(1025) })],
  ];

  it.each(invalidInputs)(
    "refuses %s with a ValidationError on %s, writing nothing",
    async (_, field, make) => {
      const input = make(uniqueEmail("invalid"));
      const result = await signUp(input);
      expect(result.__typename, JSON.stringify(result)).toBe("ValidationError");
      expect(result.code).toBe("BAD_USER_INPUT");
      expect(fieldNames(result)).toEqual([field]);

      // Nothing was written: those credentials do not log in...
      expect((await logIn(input.email, input.password)).__typename).toBe("AuthenticationError");
      // ...and the email is still free (a written row would make this a ConflictError).
      if (field !== "email") {
        expectAuthPayload(await signUp({ email: input.email, name: "Valid", password: "long-enough-1" }));
      }
    },
  );

  it("accepts passwords of exactly 8 and 1024 characters", async () => {
    for (const password of ["12345678", "p".repeat(1024)]) {
      const email = uniqueEmail("bounds");
      expectAuthPayload(await signUp({ email, name: "Bounds", password }));
      expectAuthPayload(await logIn(email, password));
    }
  });

  it("never exposes a password or a hash in the schema", async () => {
    const sdl = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    const userType = /\ntype User \{([^}]*)\}/.exec(sdl)?.[1];
    expect(userType).toBeDefined();
    const sdlFields = (userType ?? "")
      .split("\n")
      .map((line) => /^\s*(\w+)\s*[(:]/.exec(line)?.[1])
      .filter(Boolean);
    expect(sdlFields).toEqual(expect.arrayContaining(["id", "email", "name", "role"]));
    expect(sdlFields.filter((name) => /password|hash/i.test(name ?? ""))).toEqual([]);

    const body = await server.graphql(`{
      __schema { types { name kind fields { name } } }
    }`);
    expect(body.errors).toBeUndefined();
    const types = body.data?.__schema.types as { name: string; kind: string; fields: { name: string }[] }[];
    const user = types.find((type) => type.name === "User");
    expect(user?.fields.map((field) => field.name)).toEqual(
      expect.arrayContaining(["id", "email", "name", "role"]),
    );
    // No output field anywhere is a hash, and no object type (but the root mutations, such as
    // changePassword) has a field about a password.
    const outputFields = types
      .filter((type) => type.fields && !type.name.startsWith("__"))
      .flatMap((type) => type.fields.map((field) => ({ type: type.name, field: field.name })));
    expect(outputFields.length).toBeGreaterThan(50);
    const leaking = outputFields
      .filter(({ type, field }) => /hash/i.test(field) || (type !== "Mutation" && /password/i.test(field)))
      .map(({ type, field }) => `${type}.${field}`);
    expect(leaking).toEqual([]);
  });
});

describe("logIn", () => {
  let account: Awaited<ReturnType<typeof newCustomer>>;
  beforeAll(async () => {
    account = await newCustomer("Logging In");
  });

  it("logs in with the email in any case and surrounding spaces", async () => {
    for (const email of [account.email, account.email.toUpperCase(), `  ${account.email}\t`]) {
      const result = expectAuthPayload(await logIn(email, account.password));
      expect(result.user).toEqual(account.user);
      expect(await me(result.accessToken)).toEqual(account.user);
    }
  });

  it("answers a wrong password and an unknown email with the same AuthenticationError", async () => {
    const wrongPassword = await logIn(account.email, `${account.password}x`);
    const unknownEmail = await logIn(uniqueEmail("nobody"), account.password);
    for (const result of [wrongPassword, unknownEmail]) {
      expect(result.__typename).toBe("AuthenticationError");
      expect(result.code).toBe("UNAUTHENTICATED");
      expect(result.message).toBeTruthy();
      expect(result).not.toHaveProperty("accessToken");
    }
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it("refuses a 2000-character password with that same error", async () => {
    const wrongPassword = await logIn(account.email, "wrong-password");
    const huge = await logIn(account.email, "x".repeat(2000));
    expect(huge.__typename).toBe("AuthenticationError");
    expect(huge).toEqual(wrongPassword);
  });

  it("does not treat the password case-insensitively", async () => {
    const result = await logIn(account.email, account.password.toUpperCase());
    expect(result.__typename).toBe("AuthenticationError");
  });
});

describe("the access token", () => {
  it("makes `me` the user of the token", async () => {
    const account = await newCustomer("Me Myself");
    expect(await me(account.accessToken)).toEqual({
      id: account.user.id,
      email: account.email,
      name: "Me Myself",
      role: "CUSTOMER",
    });
  });

  it("accepts the scheme in any case", async () => {
    const account = await newCustomer();
    const body = await server.graphql(ME, {}, { authorization: `bearer ${account.accessToken}` });
    expect(body.data?.me?.id).toBe(account.user.id);
  });

  it("leaves `me` null for an anonymous request", async () => {
    const { status, body } = await post(ME);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ me: null });
  });
});

describe("token attacks: every bad token fails the whole request as UNAUTHENTICATED (401)", () => {
  let victim: Awaited<ReturnType<typeof newCustomer>>;
  let victimId: number;
  beforeAll(async () => {
    victim = await newCustomer("Victim");
    victimId = databaseId(victim.user.id);
  });

  async function expectUnauthenticated(headers: Record<string, string>) {
    for (const query of [PUBLIC_QUERY, ME]) {
      const { status, body, wwwAuthenticate } = await post(query, headers);
      expect(body.data ?? null, JSON.stringify(body)).toBeNull();
      expectRefused(body, "UNAUTHENTICATED");
      expect(status, JSON.stringify(body)).toBe(401);
      // RFC 9110: a 401 names the scheme the client should use.
      expect(wwwAuthenticate).toMatch(/^Bearer /);
    }
  }

  it("control: a token forged the way the server signs works, so the attacks below fail for their flaw", async () => {
    const token = await forge(claimsFor(victimId));
    const { status, body } = await post(PUBLIC_QUERY, bearer(token));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(await me(token)).toEqual(victim.user);
    expect(await me(victim.accessToken)).toEqual(victim.user);
  });

  const attacks: [string, () => Promise<Record<string, string>>][] = [
    [
      'alg "none" (unsecured JWT with the right claims)',
      async () =>
        bearer(
          new UnsecuredJWT({ role: "ADMIN" })
            .setSubject(String(victimId))
            .setIssuer(server.app.config.auth.issuer)
            .setAudience(server.app.config.auth.audience)
            .setIssuedAt()
            .setExpirationTime("10m")
            .encode(),
        ),
    ],
    [
      'alg "none" with a signature part left in',
      async () => {
        const [header, payload] = (await forge(claimsFor(victimId, "ADMIN"))).split(".");
        const none = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        return bearer(`${none}.${payload}.${header}`);
      },
    ],
    [
      "a token signed with a wrong key",
      async () => bearer(await forge(claimsFor(victimId), { key: randomBytes(64) })),
    ],
    [
      "a real token whose role claim was changed to ADMIN without re-signing",
      async () => {
        const [header, payload, signature] = victim.accessToken.split(".");
        const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? "")));
        expect(claims.role).toBe("CUSTOMER");
        const tampered = base64url.encode(JSON.stringify({ ...claims, role: "ADMIN" }));
        return bearer(`${header}.${tampered}.${signature}`);
      },
    ],
    [
      "a real token whose subject was changed without re-signing",
      async () => {
        const [header, payload, signature] = victim.accessToken.split(".");
        const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? "")));
        const adminId = databaseId((await admin.session()).userId);
        const tampered = base64url.encode(JSON.stringify({ ...claims, sub: String(adminId) }));
        return bearer(`${header}.${tampered}.${signature}`);
      },
    ],
    [
      "an expired token signed with the right key",
      async () => bearer(await forge({ ...claimsFor(victimId), iat: now() - 7200, exp: now() - 3600 })),
    ],
    ["a token without exp", async () => bearer(await forge({ ...claimsFor(victimId), exp: undefined }))],
    ["a wrong issuer", async () => bearer(await forge({ ...claimsFor(victimId), iss: "someone-else" }))],
    ["a wrong audience", async () => bearer(await forge({ ...claimsFor(victimId), aud: "another-api" }))],
    [
      "a token without an issuer",
      async () => bearer(await forge({ ...claimsFor(victimId), iss: undefined })),
    ],
    [
      "a token without an audience",
      async () => bearer(await forge({ ...claimsFor(victimId), aud: undefined })),
    ],
    [
      "a token for several audiences, none of them this API",
      async () => bearer(await forge({ ...claimsFor(victimId), aud: ["another-api", "a-third-api"] })),
    ],
    [
      "an HS512 token signed with the right key",
      async () => bearer(await forge(claimsFor(victimId), { alg: "HS512" })),
    ],
    [
      "an RS256 token signed with a real RSA key",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        return bearer(await forge(claimsFor(victimId), { alg: "RS256", key: privateKey }));
      },
    ],
    [
      "an RS256 header over an HMAC signature made with the secret (algorithm confusion)",
      async () =>
        bearer(handMade({ alg: "RS256", typ: "JWT" }, claimsFor(victimId), server.app.config.auth.secretKey)),
    ],
    ["an unknown role claim", async () => bearer(await forge(claimsFor(victimId, "ROOT")))],
    ["a non-numeric subject", async () => bearer(await forge({ ...claimsFor(victimId), sub: "victim" }))],
    ['garbage ("abc")', async () => bearer("abc")],
    ["an empty Bearer token", async () => ({ authorization: "Bearer " })],
    ["two tokens in one header", async () => ({ authorization: `Bearer ${victim.accessToken} extra` })],
    ['a non-Bearer Authorization header ("Basic xxx")', async () => ({ authorization: "Basic xxx" })],
    ["a refresh token sent as the access token", async () => bearer(victim.refreshToken)],
  ];

  it.each(attacks)("refuses %s", async (_, headers) => {
    await expectUnauthenticated(await headers());
  });

  it("says whether a token has expired (log in or refresh) or is not valid at all", async () => {
    const expired = await forge({ ...claimsFor(victimId), iat: now() - 7200, exp: now() - 3600 });
    const forged = await forge(claimsFor(victimId), { key: randomBytes(64) });
    const messageFor = async (token: string) => (await post(ME, bearer(token))).body.errors?.[0]?.message;
    expect(await messageFor(expired)).toBe("The access token has expired; log in or refresh it");
    expect(await messageFor(forged)).toBe("The access token is not valid; log in or refresh it");
  });

  it("refuses a valid token of a user who has since been deleted", async () => {
    const doomed = await newCustomer("Doomed");
    expect(await me(doomed.accessToken)).toEqual(doomed.user);
    // No API deletes users: arrange it in the database.
    await server.app.prisma.user.delete({ where: { email: doomed.email } });
    await expectUnauthenticated(bearer(doomed.accessToken));
  });

  it("refuses a bad token on an operation mixing credential mutations with anything else", async () => {
    const mixed = `mutation ($input: LogInInput!) {
      logIn(input: $input) { __typename }
      changePassword(input: { currentPassword: "x", newPassword: "long enough 1" }) { __typename }
    }`;
    const { status, body } = await post(mixed, bearer("abc"), {
      input: { email: victim.email, password: victim.password },
    });
    expect(status).toBe(401);
    expectRefused(body, "UNAUTHENTICATED");
    expect(body.data ?? null).toBeNull();
  });
});

describe("credential mutations ignore a refused access token", () => {
  // Clients typically attach the last access token to every request, the refresh included; the
  // moment it expires is exactly when they need refreshToken to work.
  let account: Awaited<ReturnType<typeof newCustomer>>;
  let expired: string;
  beforeAll(async () => {
    account = await newCustomer("Refresher");
    expired = await forge({ ...claimsFor(databaseId(account.user.id)), iat: now() - 1000, exp: now() - 10 });
    const { status } = await post(ME, bearer(expired));
    expect(status).toBe(401);
  });

  it("refreshToken works with an expired access token still attached", async () => {
    const { status, body } = await post(REFRESH, bearer(expired), {
      input: { refreshToken: account.refreshToken },
    });
    expect(status).toBe(200);
    const refreshed = expectAuthPayload(body.data?.refreshToken);
    expect(await me(refreshed.accessToken)).toEqual(account.user);
  });

  it("logIn, signUp and logOut work with a malformed or forged one", async () => {
    for (const headers of [bearer(expired), bearer("abc"), { authorization: "Basic abc" }]) {
      const login = await post(LOG_IN, headers, {
        input: { email: account.email, password: account.password },
      });
      expect(login.status).toBe(200);
      const session = expectAuthPayload(login.body.data?.logIn);
      const logout = await post(LOG_OUT, headers, { input: { refreshToken: session.refreshToken } });
      expect(logout.body).toEqual({ data: { logOut: true } });
    }
    const signUp = await post(SIGN_UP, bearer(expired), {
      input: { email: uniqueEmail("fresh"), name: "Fresh", password: "long enough 1" },
    });
    expectAuthPayload(signUp.body.data?.signUp);
  });
});

describe("the role comes from the database, not from the token", () => {
  it("a token forged with the right key claiming ADMIN for a CUSTOMER does not grant admin", async () => {
    const customer = await newCustomer("Pretender");
    const token = await forge(claimsFor(databaseId(customer.user.id), "ADMIN"));
    // The token itself is accepted (right key)...
    expect(await me(token)).toEqual({ ...customer.user, role: "CUSTOMER" });
    // ...but the user is a customer.
    const users = await server.graphql(USERS_COUNT, {}, bearer(token));
    expectRefused(users, "FORBIDDEN");
    expect(users.data ?? null).toBeNull();
    const role = await server.graphql(
      SET_USER_ROLE,
      { input: { userId: customer.user.id, role: "ADMIN" } },
      bearer(token),
    );
    expectRefused(role, "FORBIDDEN");
    expect(await me(customer.accessToken)).toMatchObject({ role: "CUSTOMER" });
  });
});

describe("refreshToken", () => {
  it("keeps one stored token per live session, not one per refresh", async () => {
    const account = await newCustomer("Frequent refresher");
    const userId = databaseId(account.user.id);
    const stored = () => server.app.prisma.refreshToken.count({ where: { userId } });
    let laptop = account.refreshToken;
    for (let i = 0; i < 5; i++) laptop = expectAuthPayload(await refresh(laptop)).refreshToken;
    const phone = expectAuthPayload(await logIn(account.email, account.password)).refreshToken;
    expect(await stored()).toBe(2);
    expect(await logOut(phone)).toBe(true);
    expectAuthPayload(await refresh(laptop));
    expect(await stored()).toBe(1);
  });

  it("trades a refresh token for a new pair; the old one then fails", async () => {
    const account = await newCustomer("Refresher");
    const renewed = expectAuthPayload(await refresh(account.refreshToken));
    expect(renewed.user).toEqual(account.user);
    expect(renewed.refreshToken).not.toBe(account.refreshToken);
    expect(await me(renewed.accessToken)).toEqual(account.user);

    const reused = await refresh(account.refreshToken);
    expect(reused.__typename).toBe("AuthenticationError");
    expect(reused.code).toBe("UNAUTHENTICATED");

    // The new refresh token is a working one, once.
    expectAuthPayload(await refresh(renewed.refreshToken));
    expect((await refresh(renewed.refreshToken)).__typename).toBe("AuthenticationError");
  });

  it("refuses an expired refresh token", async () => {
    const account = await newCustomer("Expiring");
    // No API ages a token: arrange it in the database.
    const { count } = await server.app.prisma.refreshToken.updateMany({
      where: { user: { email: account.email } },
      data: { expiresAt: new Date(Date.now() - 60_000) },
    });
    expect(count).toBe(1);
    const result = await refresh(account.refreshToken);
    expect(result.__typename).toBe("AuthenticationError");
    expect(result.code).toBe("UNAUTHENTICATED");
  });

  it("refuses garbage, an empty string and an access token", async () => {
    const account = await newCustomer();
    for (const token of ["garbage", "", account.accessToken, `${account.refreshToken}x`]) {
      const result = await refresh(token);
      expect(result.__typename, token).toBe("AuthenticationError");
      expect(result.code).toBe("UNAUTHENTICATED");
    }
    // None of that burnt the real token.
    expectAuthPayload(await refresh(account.refreshToken));
  });

  it("lets exactly one of several concurrent refreshes with the same token succeed", async () => {
    for (const concurrency of [2, 10, 10]) {
      const account = await newCustomer("Racer");
      const results = await Promise.all(
        Array.from({ length: concurrency }, () => refresh(account.refreshToken)),
      );
      const typenames = results.map((result) => result.__typename);
      expect(
        typenames.filter((name) => name === "AuthPayload"),
        JSON.stringify(typenames),
      ).toHaveLength(1);
      expect(typenames.filter((name) => name === "AuthenticationError")).toHaveLength(concurrency - 1);
      const winner = results.find((result) => result.__typename === "AuthPayload") as Payload;
      expectAuthPayload(await refresh(winner.refreshToken));
    }
  });
});

describe("logOut", () => {
  it("revokes the refresh token and answers true", async () => {
    const account = await newCustomer("Leaving");
    expect(await logOut(account.refreshToken)).toBe(true);
    const result = await refresh(account.refreshToken);
    expect(result.__typename).toBe("AuthenticationError");
  });

  it("revokes only that token: another session of the same user keeps working", async () => {
    const account = await newCustomer("Two Devices");
    const other = expectAuthPayload(await logIn(account.email, account.password));
    expect(await logOut(account.refreshToken)).toBe(true);
    expectAuthPayload(await refresh(other.refreshToken));
  });

  it("is idempotent: an already revoked or unknown token answers true", async () => {
    const account = await newCustomer();
    expect(await logOut(account.refreshToken)).toBe(true);
    expect(await logOut(account.refreshToken)).toBe(true);
    expect(await logOut("never-issued")).toBe(true);
    expect(await logOut("")).toBe(true);
  });
});

describe("changePassword", () => {
  it("needs authentication", async () => {
    const { status, body } = await post(
      CHANGE_PASSWORD,
      {},
      {
        input: { currentPassword: "whatever-1", newPassword: "whatever-2" },
      },
    );
    expectRefused(body, "UNAUTHENTICATED");
    expect(body.data ?? null).toBeNull();
    expect(status).toBe(401);
  });

  it("answers AuthenticationError for a wrong current password and changes nothing", async () => {
    const account = await newCustomer();
    const result = await mutation(
      CHANGE_PASSWORD,
      { currentPassword: `${account.password}-wrong`, newPassword: "brand-new-password" },
      bearer(account.accessToken),
    );
    expect(result.__typename).toBe("AuthenticationError");
    expect(result.code).toBe("UNAUTHENTICATED");
    expect((await logIn(account.email, "brand-new-password")).__typename).toBe("AuthenticationError");
    expectAuthPayload(await logIn(account.email, account.password));
    expectAuthPayload(await refresh(account.refreshToken));
  });

  it("answers ValidationError on newPassword for a too-short one and changes nothing", async () => {
    const account = await newCustomer();
    const result = await mutation(
      CHANGE_PASSWORD,
      { currentPassword: account.password, newPassword: "short" },
      bearer(account.accessToken),
    );
    expect(result.__typename).toBe("ValidationError");
    expect(fieldNames(result)).toEqual(["newPassword"]);
    expect((await logIn(account.email, "short")).__typename).toBe("AuthenticationError");
    expectAuthPayload(await logIn(account.email, account.password));
    expectAuthPayload(await refresh(account.refreshToken));
  });

  it("changes the password, revokes every earlier refresh token and starts a new session", async () => {
    const account = await newCustomer("Changer");
    const laptop = expectAuthPayload(await logIn(account.email, account.password));
    const phone = expectAuthPayload(await logIn(account.email.toUpperCase(), account.password));
    const newPassword = `new-${randomUUID()}`;

    const changed = expectAuthPayload(
      await mutation(
        CHANGE_PASSWORD,
        { currentPassword: account.password, newPassword },
        bearer(laptop.accessToken),
      ),
    );
    expect(changed.user).toEqual(account.user);
    expect(await me(changed.accessToken)).toEqual(account.user);

    for (const old of [account.refreshToken, laptop.refreshToken, phone.refreshToken]) {
      expect((await refresh(old)).__typename).toBe("AuthenticationError");
    }
    expect((await logIn(account.email, account.password)).__typename).toBe("AuthenticationError");
    expectAuthPayload(await logIn(account.email, newPassword));
    const renewed = expectAuthPayload(await refresh(changed.refreshToken));
    expect(renewed.user).toEqual(account.user);
  });
});

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

describe("privacy", () => {
  let alice: Awaited<ReturnType<typeof newCustomer>>;
  let bob: Awaited<ReturnType<typeof newCustomer>>;
  beforeAll(async () => {
    alice = await newCustomer("Alice Private");
    bob = await newCustomer("Bob Private");
  });

  it("a customer's `me` is themself only", async () => {
    expect(await me(alice.accessToken)).toEqual(alice.user);
    expect(await me(bob.accessToken)).toEqual(bob.user);
  });

  it("node and nodes never hand out a user, to a customer, an admin or anyone", async () => {
    const ids = [bob.user.id, globalId("User", 1), globalId("User", databaseId(alice.user.id))];
    const clients: [string, Record<string, string>][] = [
      ["customer", bearer(alice.accessToken)],
      ["anonymous", {}],
      ["admin", bearer((await admin.session()).accessToken)],
    ];
    for (const [who, headers] of clients) {
      for (const id of ids) {
        const body = await server.graphql(
          "query ($id: ID!) { node(id: $id) { __typename id } }",
          { id },
          headers,
        );
        expect(body.data?.node ?? null, `${who} ${JSON.stringify(body)}`).toBeNull();
        const text = JSON.stringify(body);
        for (const user of [alice, bob]) {
          expect(text).not.toContain(user.email);
          expect(text).not.toContain(user.user.name);
        }
        expect(text).not.toContain('"User"');
      }
      const many = await server.graphql(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        { ids },
        headers,
      );
      const nodes = (many.data?.nodes ?? []) as unknown[];
      expect(
        nodes.every((node) => node === null),
        `${who} ${JSON.stringify(many)}`,
      ).toBe(true);
      expect(JSON.stringify(many)).not.toContain(bob.email);
    }
  });

  it("a customer cannot read another user through users, setUserRole or a refresh token", async () => {
    const users = await server.graphql(
      "{ users(first: 100) { edges { node { email name } } } }",
      {},
      bearer(alice.accessToken),
    );
    expectRefused(users, "FORBIDDEN");
    expect(JSON.stringify(users)).not.toContain(bob.email);

    const role = await server.graphql(
      SET_USER_ROLE,
      { input: { userId: bob.user.id, role: "CUSTOMER" } },
      bearer(alice.accessToken),
    );
    expectRefused(role, "FORBIDDEN");
    expect(JSON.stringify(role)).not.toContain(bob.email);

    // A guessed refresh token, sent with Alice's credentials, does not answer Bob's payload.
    const guessed = await server.graphql(
      REFRESH,
      { input: { refreshToken: randomBytes(32).toString("base64url") } },
      bearer(alice.accessToken),
    );
    expect(guessed.data?.refreshToken.__typename).toBe("AuthenticationError");
    expect(JSON.stringify(guessed)).not.toContain(bob.email);
  });
});

describe("permission rule results do not leak between concurrent requests", () => {
  it("answers ~40 mixed concurrent requests each by its own credentials", async () => {
    const adminToken = (await admin.session()).accessToken;
    const customer = await newCustomer("Concurrent");
    const kinds = ["ADMIN", "CUSTOMER", "ANONYMOUS"] as const;
    const requests = Array.from({ length: 42 }, (_, index) => {
      const kind = kinds[(index * 7) % 3] as (typeof kinds)[number];
      const headers =
        kind === "ADMIN" ? bearer(adminToken) : kind === "CUSTOMER" ? bearer(customer.accessToken) : {};
      return post(USERS_COUNT, headers).then((response) => ({ kind, ...response }));
    });
    const responses = await Promise.all(requests);

    const expectedCount = (await admin.graphql(USERS_COUNT)).data?.users.totalCount;
    expect(expectedCount).toBeGreaterThan(0);
    for (const { kind, body } of responses) {
      const shown = `${kind}: ${JSON.stringify(body)}`;
      if (kind === "ADMIN") {
        expect(body.errors, shown).toBeUndefined();
        expect(body.data?.users.totalCount, shown).toBe(expectedCount);
      } else {
        expect(body.data ?? null, shown).toBeNull();
        expect(errorCodes(body), shown).toEqual([kind === "CUSTOMER" ? "FORBIDDEN" : "UNAUTHENTICATED"]);
      }
    }
    expect(new Set(responses.map((response) => response.kind)).size).toBe(3);
  });
});
