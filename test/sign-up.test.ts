import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import {
  accountsOf,
  databaseId,
  expectAuthPayload,
  fieldNames,
  type Payload,
  uniqueEmail,
} from "./helpers/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// signUp: who may sign up, with what, and what the schema never shows of an account.

const server = startTestServer();
const { signUp, logIn, me } = accountsOf(server);

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
