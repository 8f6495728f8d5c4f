import { beforeAll, describe, expect, it } from "vitest";
import {
  accountsOf,
  type Customer,
  databaseId,
  expectAuthPayload,
  type Payload,
  uniqueEmail,
} from "./helpers/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// Sessions: logging in, trading a refresh token for a new pair, logging out.

const server = startTestServer();
const { logIn, refresh, logOut, newCustomer, me } = accountsOf(server);

describe("logIn", () => {
  let account: Customer;
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
