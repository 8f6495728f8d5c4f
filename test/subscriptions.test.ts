import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "./databases.ts";
import { createCategory, createProduct as createFixtureProduct } from "./helpers/fixtures.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import {
  type GraphQLResponse,
  probeRedis,
  REDIS_URL,
  redisInspector,
  startTestServer,
  type TestClient,
  uniquePrefix,
  untilEventChannelSubscribed,
} from "./helpers/server.ts";
import { refusalCodes, subscribe, transports, until, untilListening } from "./helpers/subscriptions.ts";

// Live updates over every transport, with the real graphql-sse and graphql-ws clients: subscribe,
// change the catalog over HTTP, receive the change. Each test ends with a change every subscriber
// in it must receive (a sentinel), so "received nothing else" is checked after the fact rather
// than by waiting a while.

const PRODUCT_CHANGED = `
  subscription ($productId: ID, $categoryId: ID, $withSubcategories: Boolean) {
    productChanged(productId: $productId, categoryId: $categoryId, includeSubcategories: $withSubcategories) {
      kind productId changed stockDelta product { id sku status stock costPrice { amount } }
    }
  }`;

const CATEGORY_CHANGED = `
  subscription ($categoryId: ID) {
    categoryChanged(categoryId: $categoryId) { kind categoryId changed category { id name parent { id } } }
  }`;

async function mutate(client: TestClient, field: string, inputType: string, input: Record<string, unknown>) {
  const entity = /Category/.test(field) ? "category" : "product";
  const payload = `${field.charAt(0).toUpperCase()}${field.slice(1)}Payload`;
  const selection = field.startsWith("delete") ? "" : `... on ${payload} { ${entity} { id } }`;
  const body = await client.graphql(
    `mutation ($input: ${inputType}!) { ${field}(input: $input) { ${ERROR_FIELDS} ${selection} } }`,
    { input },
  );
  return body.data?.[field] as Record<string, any> | null | undefined;
}

/** A product as these tests make them: 5 in stock, costing 2.00, DRAFT unless `more` says otherwise. */
const createProduct = (client: TestClient, more: Record<string, unknown> = {}) =>
  createFixtureProduct(client, { stock: 5, costPrice: "2.00", ...more });

const updateProduct = (client: TestClient, input: Record<string, unknown>) =>
  mutate(client, "updateProduct", "UpdateProductInput", input);
const adjustStock = (client: TestClient, productId: string, delta: number) =>
  mutate(client, "adjustStock", "AdjustStockInput", { productId, delta });

const changes = (results: GraphQLResponse[]) => results.map((result) => result.data?.productChanged);

describe.each(transports)("over %s", (transport) => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  const admin = server.as("ADMIN");
  const customer = server.as("CUSTOMER");
  const tokenOf = async (client: TestClient) => (await client.session()).accessToken;

  // Every subscription a test started is released once it stops: no listener, nothing live.
  afterEach(async () => {
    await until(
      () =>
        server.app.subscriptions.count() === 0 &&
        server.app.eventBus.listenerCount("productChanged") === 0 &&
        server.app.eventBus.listenerCount("categoryChanged") === 0,
      "every subscription is released",
    );
  });

  /** Subscribes, and waits until the server listens for the subscription's events. */
  async function live(query: string, token: string | null, variables?: Record<string, unknown>) {
    const topic = query.includes("productChanged") ? "productChanged" : "categoryChanged";
    const listening = server.app.eventBus.listenerCount(topic);
    const subscription = subscribe(server, transport, query, { token, variables });
    await untilListening(server, topic, listening + 1);
    return subscription;
  }

  it("staff receive every change of a product, with the product as it now is", async () => {
    const subscription = await live(PRODUCT_CHANGED, await tokenOf(staff));
    try {
      const id = await createProduct(staff, { status: "DRAFT" });
      await updateProduct(staff, { id, name: "Renamed live" });
      await adjustStock(staff, id, 3);
      await mutate(admin, "deleteProduct", "DeleteProductInput", { id });
      const results = await subscription.results(4);
      expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
      expect(changes(results)).toEqual([
        {
          kind: "CREATED",
          productId: id,
          changed: [],
          stockDelta: null,
          product: { id, sku: expect.any(String), status: "DRAFT", stock: 5, costPrice: { amount: "2.00" } },
        },
        {
          kind: "UPDATED",
          productId: id,
          changed: ["NAME"],
          stockDelta: null,
          product: expect.objectContaining({ id, stock: 5 }),
        },
        {
          kind: "STOCK_CHANGED",
          productId: id,
          changed: ["STOCK"],
          stockDelta: 3,
          product: expect.objectContaining({ id, stock: 8 }),
        },
        { kind: "DELETED", productId: id, changed: [], stockDelta: null, product: null },
      ]);
    } finally {
      await subscription.stop();
    }
  });

  it.each([
    ["anonymous", null, "UNAUTHENTICATED"],
    ["CUSTOMER", customer, "FORBIDDEN"],
  ] as const)(
    "%s never receive a hidden product nor its cost price; one that becomes hidden arrives as DELETED",
    async (_who, client, refusal) => {
      const subscription = await live(PRODUCT_CHANGED, client && (await tokenOf(client)));
      try {
        const draft = await createProduct(staff, { status: "DRAFT" });
        await adjustStock(staff, draft, 1);
        await updateProduct(staff, { id: draft, name: "Still a draft" });
        const active = await createProduct(staff, { status: "ACTIVE" });
        await updateProduct(staff, { id: active, status: "ARCHIVED", name: "Archived and renamed" });
        await updateProduct(staff, { id: draft, status: "ACTIVE" });
        // Only the cost price changes: nothing a customer may read, so nothing is sent.
        await updateProduct(staff, { id: draft, costPrice: "3.00" });
        await adjustStock(staff, draft, 2);
        const results = await subscription.results(4);
        expect(changes(results)).toEqual([
          expect.objectContaining({
            kind: "CREATED",
            productId: active,
            product: expect.objectContaining({ status: "ACTIVE" }),
          }),
          { kind: "DELETED", productId: active, changed: [], stockDelta: null, product: null },
          expect.objectContaining({
            kind: "UPDATED",
            productId: draft,
            changed: ["STATUS"],
            product: expect.objectContaining({ status: "ACTIVE", stock: 6, costPrice: null }),
          }),
          expect.objectContaining({ kind: "STOCK_CHANGED", productId: draft, stockDelta: 2 }),
        ]);
        const text = JSON.stringify(results);
        expect(text).not.toContain("DRAFT");
        expect(text).not.toContain("Archived and renamed");
        expect(text).not.toContain("Still a draft");
        // Asking for the cost price is refused with each product, as in a query.
        expect(
          results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code),
        ).toEqual(results.filter((result) => result.data?.productChanged.product).map(() => refusal));
      } finally {
        await subscription.stop();
      }
    },
  );

  it("a mutation that fails publishes nothing", async () => {
    const subscription = await live(PRODUCT_CHANGED, await tokenOf(staff));
    try {
      const existing = await createProduct(staff, { status: "ACTIVE", stock: 1 });
      const refused = [
        await mutate(customer, "createProduct", "CreateProductInput", {
          sku: "LIVE-REFUSED",
          name: "Refused",
          price: "1.00",
          currency: "EUR",
        }),
        await adjustStock(staff, existing, -2),
        await updateProduct(staff, { id: existing, price: "1.001" }),
        await mutate(staff, "deleteProduct", "DeleteProductInput", { id: existing }),
      ];
      expect(refused.map((result) => result?.__typename ?? null)).toEqual([
        null,
        "InsufficientStockError",
        "ValidationError",
        null,
      ]);
      const sentinel = await createProduct(staff);
      const results = await subscription.results(2);
      expect(changes(results).map((change) => [change.kind, change.productId])).toEqual([
        ["CREATED", existing],
        ["CREATED", sentinel],
      ]);
    } finally {
      await subscription.stop();
    }
  });

  it("narrowed to a product, a category, or a category with its subcategories", async () => {
    const token = await tokenOf(staff);
    const parent = await createCategory(staff, `Live parent ${transport}`);
    const child = await createCategory(staff, `Live child ${transport}`, { parentId: parent });
    const inChild = await createProduct(staff, { categoryId: child });
    const inParent = await createProduct(staff, { categoryId: parent });
    const loose = await createProduct(staff);
    const byProduct = await live(PRODUCT_CHANGED, token, { productId: inChild });
    const byCategory = await live(PRODUCT_CHANGED, token, { categoryId: parent });
    const byTree = await live(PRODUCT_CHANGED, token, { categoryId: parent, withSubcategories: true });
    try {
      await adjustStock(staff, inChild, 1);
      await adjustStock(staff, inParent, 1);
      await adjustStock(staff, loose, 1);
      await updateProduct(staff, { id: loose, categoryId: child });
      await updateProduct(staff, { id: inParent, categoryId: null });
      const late = await createProduct(staff, { categoryId: parent });
      await adjustStock(staff, inChild, 1);
      const seen = async (subscription: typeof byTree, count: number) =>
        changes(await subscription.results(count)).map((change) => [change.kind, change.productId]);
      expect(await seen(byProduct, 2)).toEqual([
        ["STOCK_CHANGED", inChild],
        ["STOCK_CHANGED", inChild],
      ]);
      expect(await seen(byCategory, 3)).toEqual([
        ["STOCK_CHANGED", inParent],
        ["DELETED", inParent],
        ["CREATED", late],
      ]);
      expect(await seen(byTree, 6)).toEqual([
        ["STOCK_CHANGED", inChild],
        ["STOCK_CHANGED", inParent],
        ["UPDATED", loose],
        ["DELETED", inParent],
        ["CREATED", late],
        ["STOCK_CHANGED", inChild],
      ]);
    } finally {
      await Promise.all([byProduct.stop(), byCategory.stop(), byTree.stop()]);
    }
  });

  it("categoryChanged: created, updated and deleted, for everyone, optionally of one category", async () => {
    const all = await live(CATEGORY_CHANGED, null);
    const parent = await createCategory(staff, `Live category parent ${transport}`);
    const one = await live(CATEGORY_CHANGED, null, { categoryId: parent });
    try {
      const id = await createCategory(staff, `Live category ${transport}`);
      await mutate(staff, "updateCategory", "UpdateCategoryInput", { id, parentId: parent });
      await mutate(staff, "updateCategory", "UpdateCategoryInput", {
        id: parent,
        name: `Live renamed ${transport}`,
      });
      await mutate(admin, "deleteCategory", "DeleteCategoryInput", { id });
      const results = await all.results(5);
      expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
      expect(results.map((result) => result.data?.categoryChanged)).toEqual([
        // Each category is read when its change is delivered, so it may show a later change too.
        {
          kind: "CREATED",
          categoryId: parent,
          changed: [],
          category: expect.objectContaining({ id: parent, parent: null }),
        },
        { kind: "CREATED", categoryId: id, changed: [], category: expect.objectContaining({ id }) },
        { kind: "UPDATED", categoryId: id, changed: ["PARENT"], category: expect.objectContaining({ id }) },
        {
          kind: "UPDATED",
          categoryId: parent,
          changed: ["NAME"],
          category: expect.objectContaining({ name: `Live renamed ${transport}` }),
        },
        { kind: "DELETED", categoryId: id, changed: [], category: null },
      ]);
      expect((await one.results(1)).map((result) => result.data?.categoryChanged.kind)).toEqual(["UPDATED"]);
    } finally {
      await Promise.all([all.stop(), one.stop()]);
    }
  });

  it.each([
    ["a malformed id", { productId: "nonsense" }, null, "BAD_USER_INPUT"],
    ["a refused access token", {}, "not-a-token", "UNAUTHENTICATED"],
  ] as const)("refuses %s with the code a query gets", async (_what, variables, token, code) => {
    expect(await refusalCodes(server, transport, PRODUCT_CHANGED, { token, variables })).toEqual([code]);
  });
});

const redisReachable = await probeRedis("live updates through Redis");

if (!redisReachable) {
  describe.skip(`live updates through Redis: skipped, nothing answers at ${REDIS_URL} (start Redis to run them)`, () => {
    it("reach a subscriber on one app from a change made through another", () => {});
  });
}

(redisReachable ? describe.each(transports) : describe.skip.each(transports))(
  "two apps sharing one Redis and one database, over %s",
  (transport) => {
    // Two processes of one deployment: the same database, the same Redis.
    const prefix = uniquePrefix();
    const environment: Record<string, string> = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
    beforeAll(async () => {
      environment.DATABASE_URL = await freshDatabaseUrl();
    });
    const writer = startTestServer(environment);
    const reader = startTestServer(environment);
    const inspector = redisInspector(prefix);

    it("a change made through one reaches subscribers of the other, as each may see it", async () => {
      const staff = writer.as("STAFF");
      const watching = subscribe(reader, transport, PRODUCT_CHANGED, {
        token: (await reader.as("STAFF").session()).accessToken,
      });
      const anonymous = subscribe(reader, transport, PRODUCT_CHANGED);
      try {
        await untilListening(reader, "productChanged", 2);
        await untilEventChannelSubscribed(inspector, prefix, "productChanged");
        const draft = await createProduct(staff, { status: "DRAFT" });
        const active = await createProduct(staff, { status: "ACTIVE" });
        const kindAndId = async (subscription: typeof watching, count: number) =>
          changes(await subscription.results(count)).map((change) => [change.kind, change.product?.id]);
        expect(await kindAndId(watching, 2)).toEqual([
          ["CREATED", draft],
          ["CREATED", active],
        ]);
        expect(await kindAndId(anonymous, 1)).toEqual([["CREATED", active]]);
      } finally {
        await Promise.all([watching.stop(), anonymous.stop()]);
      }
    });
  },
);
