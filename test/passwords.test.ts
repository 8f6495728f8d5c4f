import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  accountsOf,
  bearer,
  CHANGE_PASSWORD,
  expectAuthPayload,
  expectRefused,
  fieldNames,
} from "./helpers/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// changePassword: what it asks for, and the sessions it ends.

const server = startTestServer();
const { mutation, logIn, refresh, newCustomer, me, post } = accountsOf(server);

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
