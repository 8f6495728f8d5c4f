import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  accountsOf,
  bearer,
  type Customer,
  databaseId,
  errorCodes,
  expectRefused,
  globalId,
  REFRESH,
  SET_USER_ROLE,
  USERS_COUNT,
} from "./helpers/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// No user reads another's account, by any path, however requests interleave.

const server = startTestServer();
const admin = server.as("ADMIN");
const { newCustomer, me, post } = accountsOf(server);

describe("privacy", () => {
  let alice: Customer;
  let bob: Customer;
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
