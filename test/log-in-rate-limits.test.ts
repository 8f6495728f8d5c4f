import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { expectRateLimited, post, STORES, startServerWithStore } from "./helpers/rate-limits.ts";

// RATE_LIMIT_AUTH_ATTEMPTS: log-in and sign-up attempts per email and per address.

const LOG_IN = `mutation ($input: LogInInput!) {
  logIn(input: $input) { __typename ... on AuthPayload { accessToken user { email } } ... on Error { code } }
}`;
const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { __typename ... on AuthPayload { user { email } } ... on Error { code message } }
}`;
const PASSWORD = "a long and correct password";

describe.each(STORES)("log-in and sign-up attempts, counters in %s (RATE_LIMIT_AUTH_ATTEMPTS=3)", (store) => {
  // Behind a trusted proxy, each attempt can come from an address of its own, which tells the
  // per-email limit apart from the per-address one.
  const server = startServerWithStore(store, { TRUST_PROXY: "true", RATE_LIMIT_AUTH_ATTEMPTS: "3" });
  let addresses = 0;
  const newAddress = () => {
    addresses += 1;
    return `192.0.2.${addresses}`;
  };
  const from = (address: string) => ({ "x-forwarded-for": address });
  const logIn = (email: string, password: string, address = newAddress()) =>
    post(server, LOG_IN, { input: { email, password } }, from(address));
  const signUp = (email: string, address = newAddress()) =>
    post(server, SIGN_UP, { input: { email, name: "Someone", password: PASSWORD } }, from(address));
  const newEmail = () => `user-${randomUUID()}@example.test`;

  async function newAccount() {
    const email = newEmail();
    const result = await signUp(email);
    expect(result.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    return email;
  }

  const AUTH_WINDOW = 900;

  it("refuses an email after 3 wrong passwords, even from new addresses and with the right password", async () => {
    const email = await newAccount();
    for (let i = 0; i < 3; i++) {
      const result = await logIn(email, "a wrong password");
      expect(result.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });
    }
    expectRateLimited(await logIn(email, "a wrong password"), AUTH_WINDOW);
    expectRateLimited(await logIn(email, PASSWORD), AUTH_WINDOW);
    // The email is compared as stored: case and spaces do not make it another email.
    expectRateLimited(await logIn(`  ${email.toUpperCase()} `, PASSWORD), AUTH_WINDOW);

    // Another account is not affected.
    const other = await newAccount();
    const result = await logIn(other, PASSWORD);
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email: other } });
  });

  it("refuses an address after 3 attempts on different emails, even with right credentials", async () => {
    const address = newAddress();
    for (let i = 0; i < 3; i++) {
      const result = await logIn(newEmail(), "a wrong password", address);
      expect(result.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });
    }
    expectRateLimited(await logIn(newEmail(), "a wrong password", address), AUTH_WINDOW);
    const email = await newAccount();
    expectRateLimited(await logIn(email, PASSWORD, address), AUTH_WINDOW);
    // The same account from another address logs in: the limit was the address's.
    const result = await logIn(email, PASSWORD);
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email } });
  });

  it("counts sign-ups against the address too, without creating the refused account", async () => {
    const address = newAddress();
    for (let i = 0; i < 2; i++) {
      const email = newEmail();
      const result = await signUp(email, address);
      expect(result.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    }
    const failed = await logIn(newEmail(), "a wrong password", address);
    expect(failed.body.data?.logIn).toEqual({ __typename: "AuthenticationError", code: "UNAUTHENTICATED" });

    const refusedEmail = newEmail();
    expectRateLimited(await signUp(refusedEmail, address), AUTH_WINDOW);
    expectRateLimited(await logIn(newEmail(), "a wrong password", address), AUTH_WINDOW);

    // The refused sign-up wrote nothing: the email is still free.
    const later = await signUp(refusedEmail);
    expect(later.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email: refusedEmail } });
  });
});

describe.each(STORES)("log-in attempts once the window has passed, counters in %s", (store) => {
  const server = startServerWithStore(store, {
    TRUST_PROXY: "true",
    RATE_LIMIT_AUTH_ATTEMPTS: "2",
    RATE_LIMIT_AUTH_WINDOW_SECONDS: "3",
  });
  const logIn = (email: string, password: string, address: string) =>
    post(server, LOG_IN, { input: { email, password } }, { "x-forwarded-for": address });

  it("accepts the right password again after Retry-After seconds", async () => {
    const email = `user-${randomUUID()}@example.test`;
    const created = await post(
      server,
      SIGN_UP,
      { input: { email, name: "Someone", password: PASSWORD } },
      { "x-forwarded-for": "198.51.100.10" },
    );
    expect(created.body.data?.signUp).toEqual({ __typename: "AuthPayload", user: { email } });
    await logIn(email, "a wrong password", "198.51.100.11");
    await logIn(email, "a wrong password", "198.51.100.12");
    const refused = await logIn(email, PASSWORD, "198.51.100.13");
    expectRateLimited(refused, 3);

    await sleep(Number(refused.retryAfter) * 1000 + 300);
    const result = await logIn(email, PASSWORD, "198.51.100.14");
    expect(result.body.data?.logIn).toMatchObject({ __typename: "AuthPayload", user: { email } });
  });
});
