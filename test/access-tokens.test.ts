import { createHmac, randomBytes } from "node:crypto";
import { base64url, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  accountsOf,
  bearer,
  type Customer,
  databaseId,
  expectAuthPayload,
  expectRefused,
  LOG_IN,
  LOG_OUT,
  ME,
  PUBLIC_QUERY,
  REFRESH,
  SET_USER_ROLE,
  SIGN_UP,
  USERS_COUNT,
  uniqueEmail,
} from "./helpers/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// Access tokens: what a valid one grants, and that every forged, tampered or stale one fails.

const server = startTestServer();
const admin = server.as("ADMIN");
const { newCustomer, me, post } = accountsOf(server);

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
  let victim: Customer;
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
  let account: Customer;
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
