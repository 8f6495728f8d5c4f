import { type GraphQLNamedType, type GraphQLObjectType, getNamedType, isObjectType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "../src/schema/index.ts";
import { type GraphQLResponse, startTestServer, type TestClient, type TestServer } from "./helpers/server.ts";
import { subscribe, until, untilListening } from "./helpers/subscriptions.ts";

/**
 * The promise of the permission policy for products: an anonymous caller or a CUSTOMER never
 * receives a DRAFT or ARCHIVED product, nor its cost price, by any path the schema offers —
 * lookups, lists, counts, node ids, nested connections, live updates. Every path is a row of
 * `paths`; the last test fails when the schema gains a field that reaches products and no row
 * uses it.
 *
 * Each row is also run as STAFF, who must reach a hidden product (or count one) and the cost
 * price through it: a row that could not show a hidden product proves nothing.
 */

const server = startTestServer();
const staff = server.as("STAFF");
const nonStaff = { anonymous: server, CUSTOMER: server.as("CUSTOMER") };

/** A cost price no other value in the answers resembles. */
const COST = "4321.09";

type Status = "ACTIVE" | "DRAFT" | "ARCHIVED";
const fixtureProducts: { sku: string; status: Status; category: "shelf" | "drawer" }[] = [
  { sku: "SHELF-ACTIVE", status: "ACTIVE", category: "shelf" },
  { sku: "SHELF-DRAFT", status: "DRAFT", category: "shelf" },
  { sku: "DRAWER-ACTIVE", status: "ACTIVE", category: "drawer" },
  { sku: "DRAWER-DRAFT", status: "DRAFT", category: "drawer" },
  { sku: "DRAWER-ARCHIVED", status: "ARCHIVED", category: "drawer" },
];

type Fixture = {
  shelf: { id: string; slug: string };
  drawer: { id: string; slug: string };
  products: Record<string, string>;
};
const fixture = { products: {} } as Fixture;

/** How many fixture products of a category a caller may count. */
function countIn(category: "shelf" | "drawer", visibleOnly: boolean) {
  return fixtureProducts.filter((p) => p.category === category && (!visibleOnly || p.status === "ACTIVE"))
    .length;
}

/** What every row asks of each product it reaches (a document must use the fragment it defines). */
const withSeen = (query: string) =>
  query.includes("...Seen") ? `${query} fragment Seen on Product { sku status costPrice { amount } }` : query;

type Request = { query: string; variables?: Record<string, unknown> };
type Path = {
  /** The schema fields (Type.field) this row goes through. */
  through: string[];
  requests: () => Request[];
  /** For rows that read only counts: the count a caller may see, and the one staff sees. */
  counts?: (visibleOnly: boolean) => number[];
  /**
   * For subscriptions: the one request is subscribed to (over WebSocket) while staff change the
   * stock of every fixture product, then of SENTINEL once more; its answers are the events.
   */
  live?: true;
};

/** Visible to everyone and in every category row, so its second event means all have arrived. */
const SENTINEL = "DRAWER-ACTIVE";

const eachProduct = (query: string, variable: (sku: string, id: string) => unknown) => () =>
  Object.entries(fixture.products).map(([sku, id]) => ({
    query: withSeen(query),
    variables: { value: variable(sku, id) },
  }));
const once =
  (query: string, variables: () => Record<string, unknown> = () => ({})) =>
  () => [{ query: withSeen(query), variables: variables() }];
const connection = "{ totalCount edges { node { ...Seen } } }";

const paths: Record<string, Path> = {
  "product(id)": {
    through: ["Query.product"],
    requests: eachProduct("query ($value: ID!) { product(id: $value) { ...Seen } }", (_sku, id) => id),
  },
  "productBySku(sku)": {
    through: ["Query.productBySku"],
    requests: eachProduct("query ($value: String!) { productBySku(sku: $value) { ...Seen } }", (sku) =>
      sku.toLowerCase(),
    ),
  },
  "node(id)": {
    through: ["Query.node"],
    requests: eachProduct(
      "query ($value: ID!) { node(id: $value) { ... on Product { ...Seen } } }",
      (_sku, id) => id,
    ),
  },
  "nodes(ids)": {
    through: ["Query.nodes"],
    requests: once("query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Product { ...Seen } } }", () => ({
      ids: Object.values(fixture.products),
    })),
  },
  products: {
    through: ["Query.products"],
    requests: once(`{ products(first: 100) ${connection} }`),
  },
  "products, asking for DRAFT and ARCHIVED by name": {
    through: ["Query.products"],
    requests: once(`{ products(first: 100, filter: { status: [DRAFT, ARCHIVED] }) ${connection} }`),
  },
  "products backwards, under a category and its subcategories": {
    through: ["Query.products"],
    requests: once(
      `query ($id: ID!) { products(last: 100, filter: { categoryId: $id, includeSubcategories: true }) ${connection} }`,
      () => ({ id: fixture.shelf.id }),
    ),
  },
  "products: the count alone": {
    through: ["Query.products"],
    requests: once("query ($id: ID!) { products(filter: { categoryId: $id }) { totalCount } }", () => ({
      id: fixture.drawer.id,
    })),
    counts: (visibleOnly) => [countIn("drawer", visibleOnly)],
  },
  "category(id).products": {
    through: ["Query.category", "Category.products"],
    requests: once(`query ($id: ID!) { category(id: $id) { products(first: 100) ${connection} } }`, () => ({
      id: fixture.drawer.id,
    })),
  },
  "category(id).products: the count alone": {
    through: ["Query.category", "Category.products"],
    requests: once("query ($id: ID!) { category(id: $id) { products { totalCount } } }", () => ({
      id: fixture.drawer.id,
    })),
    counts: (visibleOnly) => [countIn("drawer", visibleOnly)],
  },
  "categoryBySlug(slug).children.products": {
    through: ["Query.categoryBySlug", "Category.children", "Category.products"],
    requests: once(
      `query ($slug: String!) { categoryBySlug(slug: $slug) { children { products(last: 100) ${connection} } } }`,
      () => ({ slug: fixture.shelf.slug }),
    ),
  },
  "categories.products": {
    through: ["Query.categories", "Category.products"],
    requests: once(`{ categories(first: 5) { edges { node { products(first: 5) ${connection} } } } }`),
  },
  "node(category id).products": {
    through: ["Query.node", "Category.products"],
    requests: once(
      `query ($id: ID!) { node(id: $id) { ... on Category { products(first: 100) ${connection} } } }`,
      () => ({ id: fixture.shelf.id }),
    ),
  },
  "product.category.parent.products, from a visible product": {
    through: ["Query.product", "Product.category", "Category.parent", "Category.products"],
    requests: once(
      `query ($id: ID!) { product(id: $id) { category { products(first: 5) ${connection}
        parent { products(first: 5) ${connection} } } } }`,
      () => ({ id: fixture.products["DRAWER-ACTIVE"] }),
    ),
  },
  "productChanged, as every product's stock changes": {
    through: ["Subscription.productChanged", "ProductChange.product"],
    requests: once("subscription { productChanged { product { ...Seen } } }"),
    live: true,
  },
  "productChanged under a category and its subcategories": {
    through: ["Subscription.productChanged", "ProductChange.product"],
    requests: once(
      "subscription ($id: ID!) { productChanged(categoryId: $id, includeSubcategories: true) { product { ...Seen } } }",
      () => ({ id: fixture.shelf.id }),
    ),
    live: true,
  },
};

/**
 * Fields that reach products but no anonymous or CUSTOMER caller can use: the product mutations
 * answer a product, and they are staff-only (the matrix in permissions.test.ts holds them there).
 */
const staffOnly = [
  "CreateProductPayload.product",
  "UpdateProductPayload.product",
  "AdjustStockPayload.product",
];

type Reached = { products: { sku: string; status: Status; costPrice: unknown }[]; counts: number[] };

/** Every product object and every count anywhere in an answer. */
function reached(body: GraphQLResponse): Reached {
  const found: Reached = { products: [], counts: [] };
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== "object") return;
    const object = value as Record<string, unknown>;
    if (typeof object.sku === "string") found.products.push(object as Reached["products"][number]);
    if (typeof object.totalCount === "number") {
      found.counts.push(object.totalCount);
      // A count beside its full page must count exactly what the page shows.
      if (Array.isArray(object.edges)) expect(object.totalCount).toBe(object.edges.length);
    }
    Object.values(object).forEach(walk);
  };
  walk(body.data);
  return found;
}

async function answers(client: TestServer | TestClient, path: Path): Promise<GraphQLResponse[]> {
  if (!path.live) return Promise.all(path.requests().map((r) => client.graphql(r.query, r.variables)));
  const [request] = path.requests();
  const token = "session" in client ? (await client.session()).accessToken : null;
  const listening = server.app.eventBus.listenerCount("productChanged");
  const subscription = subscribe(server, "WebSocket", request?.query ?? "", {
    token,
    variables: request?.variables,
  });
  try {
    await untilListening(server, "productChanged", listening + 1);
    for (const sku of [...Object.keys(fixture.products), SENTINEL]) {
      await staff.graphql(
        `mutation ($input: AdjustStockInput!) { adjustStock(input: $input) { __typename } }`,
        { input: { productId: fixture.products[sku], delta: 1 } },
      );
    }
    const sentinels = () =>
      subscription.received.filter((body) => body.data?.productChanged?.product?.sku === SENTINEL).length;
    await until(() => sentinels() === 2, `the subscription received ${SENTINEL} twice`);
    return subscription.received;
  } finally {
    await subscription.stop();
    // Released before the next row counts its own listener.
    await until(() => server.app.eventBus.listenerCount("productChanged") === listening, "released");
  }
}

async function run(client: TestServer | TestClient, path: Path) {
  const answered = await answers(client, path);
  const all: Reached & { errors: string[] } = { products: [], counts: [], errors: [] };
  for (const body of answered) {
    const { products, counts } = reached(body);
    all.products.push(...products);
    all.counts.push(...counts);
    for (const error of body.errors ?? [])
      all.errors.push(`${error.path?.at(-1)}: ${error.extensions?.code ?? error.message}`);
  }
  return { ...all, text: JSON.stringify(answered.map((body) => body.data)) };
}

beforeAll(async () => {
  const createCategory = async (name: string, parentId?: string) => {
    const body = await staff.graphql(
      `mutation ($input: CreateCategoryInput!) { createCategory(input: $input) {
        ... on CreateCategoryPayload { category { id slug } } } }`,
      { input: { name, parentId } },
    );
    return body.data?.createCategory.category;
  };
  fixture.shelf = await createCategory("Visibility shelf");
  fixture.drawer = await createCategory("Visibility drawer", fixture.shelf.id);
  for (const { sku, status, category } of fixtureProducts) {
    const body = await staff.graphql(
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) {
        ... on CreateProductPayload { product { id } } } }`,
      {
        input: {
          sku,
          name: sku,
          price: "10.00",
          costPrice: COST,
          currency: "EUR",
          status,
          categoryId: fixture[category].id,
        },
      },
    );
    fixture.products[sku] = body.data?.createProduct.product.id;
  }
  expect(Object.values(fixture.products).every(Boolean)).toBe(true);
});

/** Who is refused the cost price, and how. */
const costPriceRefusal = { anonymous: "costPrice: UNAUTHENTICATED", CUSTOMER: "costPrice: FORBIDDEN" };
const skus = (seen: Reached) => seen.products.map((product) => product.sku).sort();

describe.each(Object.entries(paths))("%s", (_name, path) => {
  it("shows staff a hidden product, or counts one, and the cost price (so the row can fail)", async () => {
    const seen = await run(staff, path);
    expect(seen.errors).toEqual([]);
    if (path.counts) {
      expect(seen.counts).toEqual(path.counts(false));
    } else {
      expect(seen.products.some((product) => product.status !== "ACTIVE")).toBe(true);
      expect(seen.text).toContain(COST);
    }
  });

  it.each(Object.keys(nonStaff) as (keyof typeof nonStaff)[])(
    "shows %s exactly the ACTIVE products staff see there, counts only those, and no cost price",
    async (caller) => {
      const seen = await run(nonStaff[caller], path);
      if (path.counts) {
        expect(seen.counts).toEqual(path.counts(true));
        expect(seen.errors).toEqual([]);
      } else {
        const staffSeen = await run(staff, path);
        const active = { ...staffSeen, products: staffSeen.products.filter((p) => p.status === "ACTIVE") };
        expect(skus(seen)).toEqual(skus(active));
        expect(seen.products.filter((product) => product.costPrice !== null)).toEqual([]);
        // Asking for the cost price is refused, and nothing else is.
        expect(new Set(seen.errors)).toEqual(new Set(seen.products.length ? [costPriceRefusal[caller]] : []));
      }
      expect(seen.text).not.toContain(COST);
    },
  );
});

describe("the table of paths", () => {
  it("goes through every field that can reach a product, but the staff-only ones", () => {
    // Connections and edges are reached only through the field that answers them.
    const carriers = new Set([
      "ProductConnection",
      "ProductEdge",
      "CategoryProductsConnection",
      "CategoryProductsConnectionEdge",
    ]);
    const reachesProducts = (type: GraphQLNamedType) => ["Product", "Node", ...carriers].includes(type.name);
    const fields = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith("__") && !carriers.has(type.name))
      .flatMap((type) =>
        Object.values((type as GraphQLObjectType).getFields())
          .filter((field) => reachesProducts(getNamedType(field.type)))
          .map((field) => `${type.name}.${field.name}`),
      );
    const covered = new Set([...Object.values(paths).flatMap((path) => path.through), ...staffOnly]);
    expect(fields.filter((field) => !covered.has(field))).toEqual([]);
    expect(fields.length).toBeGreaterThan(5);
  });
});
