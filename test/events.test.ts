import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { sqliteFilename } from "../src/config.ts";
import type { CatalogEventMap } from "../src/services/events.ts";
import { createCategory, createProduct as createFixtureProduct } from "./helpers/fixtures.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import {
  probeRedis,
  REDIS_URL,
  redisInspector,
  startTestServer,
  type TestClient,
  type TestServer,
  uniquePrefix,
  untilEventChannelSubscribed,
} from "./helpers/server.ts";

// Change events: each catalog mutation, made over HTTP, publishes exactly one event on the app's
// pub/sub (server.app.events) once its write has committed, and a mutation that fails publishes
// none. Events name entities by database id.

type Topic = keyof CatalogEventMap;
type Received<T extends Topic> = { event: CatalogEventMap[T][0]; row: unknown };

/** The database id inside a global id. */
function databaseId(globalId: string): number {
  return Number(Buffer.from(globalId, "base64").toString("utf8").split(":")[1]);
}

/**
 * Reads a row through a connection of its own, as another process would see it. On SQLite the
 * read is synchronous, so it happens the moment an event arrives, before the service's code that
 * published it goes on: only committed data can be there. PostgreSQL's driver cannot read
 * synchronously; its read is sent at once, on another connection.
 */
async function separateReader(databaseUrl: string, table: "Product" | "Category") {
  const sql = `SELECT * FROM "${table}" WHERE id = `;
  if (databaseUrl.startsWith("file:")) {
    const database = new Database(sqliteFilename(databaseUrl), { readonly: true, fileMustExist: true });
    const statement = database.prepare(`${sql}?`);
    return { read: (id: number) => statement.get(id), close: async () => database.close() };
  }
  // BIGINT columns as numbers, as better-sqlite3 gives them (the amounts here are small).
  const types = {
    getTypeParser: ((oid: number) =>
      oid === 20 ? Number : pg.types.getTypeParser(oid)) as pg.CustomTypesConfig["getTypeParser"],
  };
  const client = new pg.Client({ connectionString: databaseUrl, types });
  await client.connect();
  return {
    read: (id: number) => client.query(`${sql}$1`, [id]).then((result) => result.rows[0]),
    close: () => client.end(),
  };
}

/**
 * Every event of a topic the app publishes, each with its entity's row as a separate read-only
 * connection to the database sees it the moment the event arrives: only committed data.
 */
async function listen<T extends Topic>(server: TestServer, topic: T) {
  const reader = await separateReader(
    server.app.config.databaseUrl,
    topic === "productChanged" ? "Product" : "Category",
  );
  const received: Received<T>[] = [];
  // (TypeScript cannot pick subscribe's overload for a generic topic.)
  const subscribe = server.app.events.subscribe.bind(server.app.events) as (
    topic: Topic,
  ) => AsyncIterable<CatalogEventMap[T][0]>;
  const iterator = subscribe(topic)[Symbol.asyncIterator]();
  const loop = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const event = next.value as CatalogEventMap[T][0];
      const id = "productId" in event ? event.productId : event.categoryId;
      const row = reader.read(id);
      received.push({ event, row: await row });
    }
  })();
  return {
    received,
    async stop() {
      await iterator.return?.();
      await loop;
      await reader.close();
    },
  };
}

/** Listens to both topics around `action`; answers what each received once it has settled. */
async function eventsDuring(server: TestServer, action: () => Promise<unknown>) {
  const products = await listen(server, "productChanged");
  const categories = await listen(server, "categoryChanged");
  try {
    await action();
    // In process, an event reaches its listeners before the mutation's answer is sent; the
    // pause lets a stray second event arrive too, so "exactly one" can fail.
    await sleep(50);
    return { products: products.received, categories: categories.received };
  } finally {
    await products.stop();
    await categories.stop();
  }
}

async function mutate(client: TestClient, field: string, inputType: string, input: Record<string, unknown>) {
  const payload = `${field.charAt(0).toUpperCase()}${field.slice(1)}Payload`;
  const entity = /Category/.test(field) ? "category" : "product";
  const selection = field.startsWith("delete") ? "" : `... on ${payload} { ${entity} { id } }`;
  const body = await client.graphql(
    `mutation ($input: ${inputType}!) { ${field}(input: $input) { ${ERROR_FIELDS} ${selection} } }`,
    { input },
  );
  return { errors: body.errors, result: body.data?.[field] as Record<string, any> | null | undefined };
}

let skuNumber = 0;
const productInput = (more: Record<string, unknown> = {}) => ({
  sku: `EVENT-${++skuNumber}`,
  name: `Event product ${skuNumber}`,
  price: "5.00",
  currency: "EUR",
  stock: 5,
  ...more,
});

const createProduct = (client: TestClient, more: Record<string, unknown> = {}) =>
  createFixtureProduct(client, productInput(more));

describe("each catalog mutation publishes one event after its write has committed", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  const admin = server.as("ADMIN");

  it("createProduct: created, with the product's id, the row already stored", async () => {
    let id = "";
    const events = await eventsDuring(server, async () => {
      id = await createProduct(staff, { sku: "EVENT-CREATED" });
    });
    expect(events.products.map(({ event }) => event)).toEqual([
      { kind: "created", productId: databaseId(id), now: { status: "DRAFT", categoryId: null } },
    ]);
    expect(events.products[0]?.row).toMatchObject({ sku: "EVENT-CREATED" });
    expect(events.categories).toEqual([]);
  });

  it("updateProduct: updated, naming the fields whose values changed and where it was and is", async () => {
    const id = await createProduct(staff, { name: "Before", price: "5.00" });
    const category = await createCategory(staff, "Event update target");
    const events = await eventsDuring(server, () =>
      mutate(staff, "updateProduct", "UpdateProductInput", {
        id,
        name: "After",
        price: "6.00",
        description: "",
        status: "ACTIVE",
        categoryId: category,
      }),
    );
    expect(events.products.map(({ event }) => event)).toEqual([
      {
        kind: "updated",
        productId: databaseId(id),
        changed: ["name", "price", "status", "category"],
        was: { status: "DRAFT", categoryId: null },
        now: { status: "ACTIVE", categoryId: databaseId(category) },
      },
    ]);
    expect(events.products[0]?.row).toMatchObject({ name: "After", priceMicros: 6_000_000 });
    expect(events.categories).toEqual([]);
  });

  it("updateProduct: a currency change changes the price and the cost price", async () => {
    const id = await createProduct(staff, { price: "5.00", costPrice: "2.00", currency: "EUR" });
    const events = await eventsDuring(server, () =>
      mutate(staff, "updateProduct", "UpdateProductInput", { id, currency: "USD" }),
    );
    expect(events.products.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        kind: "updated",
        productId: databaseId(id),
        changed: ["price", "costPrice"],
      }),
    ]);
  });

  it.each([
    [{ sku: "EVENT-RENAMED-SKU" }, ["sku"]],
    [{ name: "Only the name" }, ["name"]],
    [{ description: "Only the description" }, ["description"]],
    [{ price: "7.00" }, ["price"]],
    [{ costPrice: "1.00" }, ["costPrice"]],
    [{ stock: 9 }, ["stock"]],
    [{ status: "ACTIVE" }, ["status"]],
    // Without a cost price, a currency change changes only the price.
    [{ currency: "USD" }, ["price"]],
    // The same values again change nothing.
    [{ name: "Event product same", price: "5.00", stock: 5 }, []],
  ] as const)("updateProduct %j: changed %j", async (input, changed) => {
    const id = await createProduct(staff, { name: "Event product same" });
    const events = await eventsDuring(server, () =>
      mutate(staff, "updateProduct", "UpdateProductInput", { id, ...input }),
    );
    expect(events.products.map(({ event }) => event)).toEqual([
      expect.objectContaining({ kind: "updated", productId: databaseId(id), changed }),
    ]);
  });

  it.each([
    [{ name: "Event only renamed" }, ["name"]],
    [{ slug: "event-only-reslugged" }, ["slug"]],
    [{ parentId: "PARENT" }, ["parent"]],
  ] as const)("updateCategory %j: changed %j", async (input, changed) => {
    const parent = await createCategory(staff, `Event parent of ${Object.keys(input)[0]}`);
    const id = await createCategory(staff, `Event single ${Object.keys(input)[0]}`);
    const events = await eventsDuring(server, () =>
      mutate(staff, "updateCategory", "UpdateCategoryInput", {
        id,
        ...input,
        ...("parentId" in input ? { parentId: parent } : {}),
      }),
    );
    expect(events.categories.map(({ event }) => event)).toEqual([
      { kind: "updated", categoryId: databaseId(id), changed },
    ]);
  });

  it("adjustStock: stockChanged, with the delta and the stock it left", async () => {
    const id = await createProduct(staff, { stock: 5 });
    const events = await eventsDuring(server, () =>
      mutate(staff, "adjustStock", "AdjustStockInput", { productId: id, delta: -2 }),
    );
    expect(events.products.map(({ event }) => event)).toEqual([
      {
        kind: "stockChanged",
        productId: databaseId(id),
        delta: -2,
        stock: 3,
        now: { status: "DRAFT", categoryId: null },
      },
    ]);
    expect(events.products[0]?.row).toMatchObject({ stock: 3 });
  });

  it("deleteProduct: deleted, the row already gone, saying where it was", async () => {
    const category = await createCategory(staff, "Event deleted from");
    const id = await createProduct(staff, { status: "ACTIVE", categoryId: category });
    const events = await eventsDuring(server, () =>
      mutate(admin, "deleteProduct", "DeleteProductInput", { id }),
    );
    expect(events.products).toEqual([
      {
        event: {
          kind: "deleted",
          productId: databaseId(id),
          was: { status: "ACTIVE", categoryId: databaseId(category) },
        },
        row: undefined,
      },
    ]);
  });

  it("createCategory: created, with the category's id, the row already stored", async () => {
    let id = "";
    const events = await eventsDuring(server, async () => {
      id = await createCategory(staff, "Event created");
    });
    expect(events.categories.map(({ event }) => event)).toEqual([
      { kind: "created", categoryId: databaseId(id) },
    ]);
    expect(events.categories[0]?.row).toMatchObject({ name: "Event created", slug: "event-created" });
    expect(events.products).toEqual([]);
  });

  it("updateCategory: updated, naming what changed (a move changes the parent)", async () => {
    const parent = await createCategory(staff, "Event parent");
    const id = await createCategory(staff, "Event child");
    const events = await eventsDuring(server, () =>
      mutate(staff, "updateCategory", "UpdateCategoryInput", { id, name: "Event moved", parentId: parent }),
    );
    expect(events.categories.map(({ event }) => event)).toEqual([
      { kind: "updated", categoryId: databaseId(id), changed: ["name", "parent"] },
    ]);
    expect(events.categories[0]?.row).toMatchObject({ name: "Event moved", parentId: databaseId(parent) });
  });

  it("deleteCategory: deleted, the row already gone", async () => {
    const id = await createCategory(staff, "Event deleted");
    const events = await eventsDuring(server, () =>
      mutate(admin, "deleteCategory", "DeleteCategoryInput", { id }),
    );
    expect(events.categories).toEqual([
      { event: { kind: "deleted", categoryId: databaseId(id) }, row: undefined },
    ]);
  });
});

describe("a mutation that fails publishes nothing", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  const admin = server.as("ADMIN");
  const customer = server.as("CUSTOMER");
  let product = "";
  let category = "";
  let usedCategory = "";
  const unknownProduct = Buffer.from("Product:999999").toString("base64");
  const unknownCategory = Buffer.from("Category:999999").toString("base64");

  beforeAll(async () => {
    usedCategory = await createCategory(staff, "Event in use");
    product = await createProduct(staff, { sku: "EVENT-TAKEN", stock: 1, categoryId: usedCategory });
    await createProduct(staff, { sku: "EVENT-OTHER" });
    category = await createCategory(staff, "Event untouched");
  });

  const failures: [string, () => [TestClient, string, string, Record<string, unknown>], string][] = [
    [
      "validation",
      () => [staff, "createProduct", "CreateProductInput", productInput({ price: "-1" })],
      "ValidationError",
    ],
    [
      "an amount finer than the currency allows",
      () => [staff, "updateProduct", "UpdateProductInput", { id: product, price: "1.005" }],
      "ValidationError",
    ],
    [
      "a category that does not exist",
      () => [staff, "createProduct", "CreateProductInput", productInput({ categoryId: unknownCategory })],
      "ValidationError",
    ],
    [
      "a duplicate sku",
      () => [staff, "createProduct", "CreateProductInput", productInput({ sku: "EVENT-TAKEN" })],
      "ConflictError",
    ],
    [
      "a duplicate sku on update (the transaction rolled back)",
      () => [
        staff,
        "updateProduct",
        "UpdateProductInput",
        { id: product, sku: "EVENT-OTHER", name: "Renamed" },
      ],
      "ConflictError",
    ],
    [
      "an unknown product",
      () => [staff, "updateProduct", "UpdateProductInput", { id: unknownProduct, name: "Nobody" }],
      "NotFoundError",
    ],
    [
      "insufficient stock",
      () => [staff, "adjustStock", "AdjustStockInput", { productId: product, delta: -2 }],
      "InsufficientStockError",
    ],
    [
      "deleting an unknown product",
      () => [admin, "deleteProduct", "DeleteProductInput", { id: unknownProduct }],
      "NotFoundError",
    ],
    [
      "a duplicate category name",
      () => [staff, "createCategory", "CreateCategoryInput", { name: "Event untouched" }],
      "ConflictError",
    ],
    [
      "moving a category below itself",
      () => [staff, "updateCategory", "UpdateCategoryInput", { id: category, parentId: category }],
      "ValidationError",
    ],
    [
      "deleting a category in use",
      () => [admin, "deleteCategory", "DeleteCategoryInput", { id: usedCategory }],
      "ConflictError",
    ],
    [
      "deleting an unknown category",
      () => [admin, "deleteCategory", "DeleteCategoryInput", { id: unknownCategory }],
      "NotFoundError",
    ],
    [
      "permission refused: a customer creating a product",
      () => [customer, "createProduct", "CreateProductInput", productInput()],
      "FORBIDDEN",
    ],
    [
      "permission refused: staff deleting a category",
      () => [staff, "deleteCategory", "DeleteCategoryInput", { id: category }],
      "FORBIDDEN",
    ],
  ];

  it.each(failures)("%s", async (_name, request, expected) => {
    const [client, field, inputType, input] = request();
    let outcome = "";
    const events = await eventsDuring(server, async () => {
      const { errors, result } = await mutate(client, field, inputType, input);
      outcome = result?.__typename ?? String(errors?.[0]?.extensions?.code);
    });
    expect(outcome).toBe(expected);
    expect(events).toEqual({ products: [], categories: [] });
  });
});

describe("two apps without Redis", () => {
  const first = startTestServer();
  const second = startTestServer();

  it("keep their events apart", async () => {
    const elsewhere = await listen(second, "productChanged");
    try {
      const here = await eventsDuring(first, () => createProduct(first.as("STAFF")));
      expect(here.products).toHaveLength(1);
      expect(elsewhere.received).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });
});

const redisReachable = await probeRedis("the shared change-event tests");
if (!redisReachable) {
  describe.skip(`events through Redis: skipped, nothing answers at ${REDIS_URL} (start Redis to run them)`, () => {
    it("delivers an event published by one app to a listener on another", () => {});
  });
}

(redisReachable ? describe : describe.skip)("two apps sharing one Redis", () => {
  const prefix = uniquePrefix();
  const environment = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
  const publisher = startTestServer(environment);
  const subscriber = startTestServer(environment);
  const inspector = redisInspector(prefix);

  it("deliver an event from a mutation on one app to a listener on the other, on prefixed channels", async () => {
    const elsewhere = await listen(subscriber, "productChanged");
    try {
      await untilEventChannelSubscribed(inspector, prefix, "productChanged");
      const id = await createProduct(publisher.as("STAFF"), { sku: "EVENT-REDIS" });
      for (let attempt = 0; attempt < 100 && elsewhere.received.length === 0; attempt += 1) await sleep(20);
      expect(elsewhere.received.map(({ event }) => event)).toEqual([
        { kind: "created", productId: databaseId(id), now: { status: "DRAFT", categoryId: null } },
      ]);
    } finally {
      await elsewhere.stop();
    }
  });
});
