import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CHILD_TEST_TIMEOUT,
  freshDatabase,
  graphql,
  logIn,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";

// Concurrent adjustStock on the real server (a child process, production mode, WAL): never below zero.

describe("stopping the real server (node src/server.ts, production, WAL)", () => {
  it(
    "50 concurrent adjustStock(-1) on stock 20: exactly 20 succeed, 30 are refused, stock ends at 0",
    async () => {
      const email = `admin-${randomUUID()}@example.test`;
      const child = await startChild(await freshDatabase(email));
      const { accessToken } = await logIn(child, email);
      const auth = { authorization: `Bearer ${accessToken}` };
      const created = await graphql(
        child,
        `mutation ($input: CreateProductInput!) {
          createProduct(input: $input) { ... on CreateProductPayload { product { id stock } } }
        }`,
        { input: { sku: "RACE-1", name: "Contended", price: "5.00", currency: "EUR", stock: 20 } },
        auth,
      );
      const product = created.body.data.createProduct.product;
      expect(product.stock).toBe(20);

      const ADJUST = `mutation Adjust($input: AdjustStockInput!) {
        adjustStock(input: $input) {
          __typename
          ... on AdjustStockPayload { product { stock } }
          ... on InsufficientStockError { available requested }
          ... on Error { message }
        }
      }`;
      const replies = await Promise.all(
        Array.from({ length: 50 }, () =>
          graphql(child, ADJUST, { input: { productId: product.id, delta: -1 } }, auth),
        ),
      );
      const outcomes = replies.map((reply) => {
        expect(reply.status).toBe(200);
        expect(reply.body.errors).toBeUndefined();
        return reply.body.data.adjustStock;
      });
      const succeeded = outcomes.filter((outcome) => outcome.__typename === "AdjustStockPayload");
      const refused = outcomes.filter((outcome) => outcome.__typename === "InsufficientStockError");
      expect(succeeded).toHaveLength(20);
      expect(refused).toHaveLength(30);
      for (const outcome of succeeded) expect(outcome.product.stock).toBeGreaterThanOrEqual(0);
      for (const outcome of refused) expect(outcome).toMatchObject({ available: 0, requested: 1 });

      const after = await graphql(
        child,
        "query ($id: ID!) { product(id: $id) { stock } }",
        { id: product.id },
        auth,
      );
      expect(after.body.data.product.stock).toBe(0);
      expect(await stopChild(child)).toEqual({ code: 0, signal: null });
    },
    CHILD_TEST_TIMEOUT,
  );
});
