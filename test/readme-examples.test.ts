import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { createAccount } from "../src/services/accounts.ts";
import { startTestServer } from "./helpers/server.ts";

// The README's GraphQL examples, tried in the order it gives them, the way a new user would: the
// first query anonymously, the first admin made as `npm run user:create` makes it (with the
// password the log-in example uses), then each example with the token that log-in answered.

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe("the README's examples, in order", () => {
  const server = startTestServer();

  it("each works as written for who the README says sends it", async () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    await createAccount(
      { prisma: server.app.prisma },
      { email: "admin@example.com", name: "Admin", password: "a long secret" },
      "ADMIN",
    );
    let token: string | null = null;
    for (const example of examples) {
      const operation = parse(example).definitions[0];
      // Subscriptions are tried over each transport in test/subscriptions.test.ts.
      if (operation?.kind === "OperationDefinition" && operation.operation === "subscription") continue;
      const body = await server.graphql(example, {}, token ? { authorization: `Bearer ${token}` } : {});
      expect(body.errors, example).toBeUndefined();
      const [answer] = Object.values(body.data ?? {}) as Record<string, any>[];
      expect(answer?.__typename ?? "", JSON.stringify(body)).not.toMatch(/Error$/);
      token = answer?.accessToken ?? token;
    }
    expect(token).not.toBeNull();
    // The product the README creates is one anyone finds, as it says.
    const found = await server.graphql('{ productBySku(sku: "mug-01") { name status } }');
    expect(found.data?.productBySku).toEqual({ name: "Mug", status: "ACTIVE" });
  });
});
