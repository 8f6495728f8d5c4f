import { assertEnumType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "../src/schema/index.ts";
import { createCategory, createProduct } from "./helpers/fixtures.ts";
import { startTestServer, type TestClient } from "./helpers/server.ts";

// Every ordering the API offers is walked in an index, under each visibility (anonymous and
// customers see ACTIVE products only, staff all of them), with and without a category filter.
// Without such an index SQLite reads and sorts every matching product for each page: the SQL of
// the anonymous first page of 20 out of 10,000 products took 1.0 ms instead of 0.09 ms. The
// orderings and directions are read from the schema, so a new ProductOrderField without its
// indexes (in prisma/schema.prisma) fails here. The plans are SQLite's for the very statements
// the server ran, with the values it bound.

const server = startTestServer();
const staff = server.as("STAFF");
const viewers = { anonymous: server, staff } satisfies Record<string, Pick<TestClient, "graphql">>;
type Viewer = keyof typeof viewers;
const viewerNames = Object.keys(viewers) as Viewer[];

const orderFields = assertEnumType(schema.getType("ProductOrderField"))
  .getValues()
  .map((value) => value.name);
const directions = assertEnumType(schema.getType("OrderDirection"))
  .getValues()
  .map((value) => value.name);

type Statement = { sql: string; params: unknown[] };
/** Where the server's statements go while a request runs; null otherwise (this test's own EXPLAINs). */
let recording: Statement[] | null = null;

/** The SQL statements the server ran for one request, with their bound values. */
async function statementsFor(
  client: Pick<TestClient, "graphql">,
  query: string,
  variables: Record<string, unknown>,
) {
  const statements: Statement[] = [];
  recording = statements;
  const body = await client.graphql(query, variables).finally(() => {
    recording = null;
  });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return { body, statements };
}

// SQLite answers the ids as 64-bit integers, which Prisma gives as bigint.
type PlanLine = { parent: bigint; detail: string };

async function planOf({ sql, params }: Statement): Promise<PlanLine[]> {
  return server.app.prisma.$queryRawUnsafe<PlanLine[]>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
}

/**
 * Checks the plan of every statement a request ran that reads products: none sorts (for ORDER BY,
 * or for the GROUP BY of a category's count) or reads the whole table. Those that order products must also search their index on every column the
 * filter pins (`pinned`, e.g. status and categoryId), the ordering's columns after them: an index
 * on the ordering alone would walk every product and skip most. Answers how many were ordered.
 */
async function expectIndexedPlans(statements: Statement[], pinned: string[]): Promise<number> {
  let ordered = 0;
  for (const statement of statements.filter(({ sql }) => /FROM `main`\.`Product`/.test(sql))) {
    const plan = await planOf(statement);
    const shown = `${statement.sql}\n${JSON.stringify(statement.params)}\n${plan.map((line) => line.detail).join("\n")}`;
    for (const { detail } of plan) {
      expect(detail, shown).not.toContain("USE TEMP B-TREE");
      // "SCAN main.Product USING [COVERING] INDEX ..." walks an index in order; this reads the table.
      expect(detail, shown).not.toMatch(/^SCAN (main\.)?Product$/);
    }
    if (!/FROM `main`\.`Product` .*ORDER BY /.test(statement.sql)) continue;
    ordered += 1;
    // The outer loop's read of products (the cursor's subqueries look rows up by id).
    const read = plan.find(
      (line) => line.parent === 0n && /^(SCAN|SEARCH) (main\.)?Product /.test(line.detail),
    );
    if (pinned.length === 0)
      expect(read?.detail, shown).toMatch(/^SCAN (main\.)?Product USING (COVERING )?INDEX /);
    for (const column of pinned)
      expect(read?.detail, shown).toMatch(new RegExp(`^SEARCH .*\\b${column}=\\?`));
  }
  return ordered;
}

/** The columns a request's filter compares with one value: visibility, then the category. */
function pinnedColumns(viewer: Viewer, inCategory: boolean): string[] {
  return [...(inCategory ? ["categoryId"] : []), ...(viewer === "anonymous" ? ["status"] : [])];
}

const productsPage = /* GraphQL */ `
  query ($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $orderBy: ProductOrder) {
    products(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { endCursor }
      edges { node { id name sku category { name } } }
    }
  }
`;

const categoryPage = /* GraphQL */ `
  query ($id: ID!, $after: String) {
    category(id: $id) {
      products(first: 2, after: $after) { totalCount pageInfo { endCursor } edges { node { id name } } }
    }
  }
`;

let categoryId: string;

beforeAll(async () => {
  server.app.prisma.$on("query", (event) =>
    recording?.push({ sql: event.query, params: JSON.parse(event.params) }),
  );
  categoryId = await createCategory(staff, "Indexed");
  const elsewhere = await createCategory(staff, "Elsewhere");
  const statuses = ["ACTIVE", "DRAFT", "ARCHIVED"];
  // Every status in both categories, so each page below has rows and a cursor in the middle.
  for (let index = 0; index < 18; index += 1) {
    await createProduct(staff, {
      name: `Product ${(index * 7) % 18}`,
      price: `${(index * 5) % 18}.50`,
      status: statuses[index % 3],
      categoryId: index % 2 ? categoryId : elsewhere,
    });
  }
});

describe("every ordering of products is walked in an index, not sorted", () => {
  it("reads the orderings from the schema", () => {
    expect(orderFields).toContain("CREATED_AT");
    expect(directions).toEqual(["ASC", "DESC"]);
  });

  const cases = orderFields.flatMap((field) =>
    directions.flatMap((direction) =>
      viewerNames.flatMap((viewer) =>
        ["no filter", "a category"].map((filtered) => ({ field, direction, viewer, filtered })),
      ),
    ),
  );

  it.each(cases)(
    "products ordered by $field $direction, as $viewer, with $filtered: first, next and previous pages",
    async ({ field, direction, viewer, filtered }) => {
      const client = viewers[viewer];
      const variables = {
        orderBy: { field, direction },
        filter: filtered === "a category" ? { categoryId } : null,
      };
      const first = await statementsFor(client, productsPage, { ...variables, first: 2 });
      expect(first.body.data?.products.edges).toHaveLength(2);
      const cursor = first.body.data?.products.pageInfo.endCursor;
      const next = await statementsFor(client, productsPage, { ...variables, first: 2, after: cursor });
      const previous = await statementsFor(client, productsPage, { ...variables, last: 2, before: cursor });
      expect(previous.body.data?.products.edges).toHaveLength(1);

      const pinned = pinnedColumns(viewer, filtered === "a category");
      let ordered = 0;
      for (const page of [first, next, previous])
        ordered += await expectIndexedPlans(page.statements, pinned);
      expect(ordered).toBe(3);
    },
  );

  it.each(viewerNames)("a category's products, as %s: first and next pages", async (viewer) => {
    const client = viewers[viewer];
    const first = await statementsFor(client, categoryPage, { id: categoryId });
    const cursor = first.body.data?.category.products.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const next = await statementsFor(client, categoryPage, { id: categoryId, after: cursor });
    expect(next.body.data?.category.products.edges.length).toBeGreaterThan(0);
    const pinned = pinnedColumns(viewer, true);
    let ordered = 0;
    for (const page of [first, next]) ordered += await expectIndexedPlans(page.statements, pinned);
    expect(ordered).toBe(2);
  });
});
