// The requests the bench sends: what each scenario asks, of whom, and how an answer is known to
// be right. Imported by the harness (bench/run.ts), which checks answers and counts statements,
// and by the load worker (bench/load.ts), which sends them, so both send exactly the same bodies.

export type TargetName = "ours" | "hand-written" | "apollo" | "ours without permissions";

/** What the generated catalog offers the requests, in the API's own (global) ids. */
export type BenchData = {
  /** The categories that hold products (the second level of the tree). */
  categoryIds: string[];
  /** ACTIVE products, which every caller sees. */
  productIds: string[];
  /** Page cursors after ACTIVE products, far enough from the end for a full page. */
  cursors: string[];
  /** A STAFF account's access token. */
  staffToken: string;
};

export type Scenario = {
  id: number;
  title: string;
  /** Which servers run it. Every target answers it with the same JSON (checked before measuring). */
  targets: TargetName[];
  /** Sent with the staff token. */
  staff: boolean;
  /** The i-th request's JSON body. */
  body(data: BenchData, i: number): string;
  /** Whether an answer body is a success; anything else counts as a failed request. */
  ok(body: string): boolean;
};

// A key written as such only where the body has GraphQL errors: inside a string value its quotes
// would be escaped.
const noErrors = (body: string) => body.startsWith('{"data":') && !body.includes('"errors":');

export const TYPENAME_DOCUMENT = "{ __typename }";

export const PAGE_DOCUMENT = `query Page($category: ID!, $minPrice: Decimal) {
  products(first: 20, filter: { categoryId: $category, inStock: true, price: { min: $minPrice } }) {
    edges { node { id name sku category { name } } }
  }
}`;

export const PRODUCT_DOCUMENT = `query Product($id: ID!) {
  product(id: $id) { id name sku description price { amount currency } stock category { name } }
}`;

// The nested products' ids only: with their names too, the document costs more than the
// server's default MAX_COST (20000) allows, and is refused before it runs.
const NESTED_DOCUMENT = `query Nested($after: String) {
  products(first: 50, after: $after) {
    edges { node { id name category { name products(first: 5) { edges { node { id } } } } } }
  }
}`;

const CREATE_DOCUMENT = `mutation Create($input: CreateProductInput!) {
  createProduct(input: $input) { __typename ... on CreateProductPayload { product { id sku } } }
}`;

const pick = <T>(list: T[], i: number): T => {
  const value = list[i % list.length];
  if (value === undefined) throw new Error("the catalog has nothing to ask for");
  return value;
};

/**
 * The i-th page: the categories in turn, each time with a different minimum price (0.00, 0.01,
 * ...), so no two requests of a run are the same and a response cache cannot answer them.
 */
function pageVariables(data: BenchData, i: number) {
  const round = Math.floor(i / data.categoryIds.length) % 10_000;
  return { category: pick(data.categoryIds, i), minPrice: (round / 100).toFixed(2) };
}

// Each run of the createProduct scenario writes skus of its own.
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();

export const scenarios: Scenario[] = [
  {
    id: 0,
    title: "`{ __typename }` (the pipeline floor)",
    targets: ["ours", "hand-written", "apollo"],
    staff: false,
    body: () => JSON.stringify({ query: TYPENAME_DOCUMENT }),
    ok: (body) => noErrors(body) && body.includes('"__typename":"Query"'),
  },
  {
    id: 1,
    title: "anonymous page: 20 products of a category, in stock, from a price (different every request)",
    targets: ["ours", "hand-written", "apollo", "ours without permissions"],
    staff: false,
    body: (data, i) => JSON.stringify({ query: PAGE_DOCUMENT, variables: pageVariables(data, i) }),
    ok: noErrors,
  },
  {
    id: 2,
    title: "a product by id (the ACTIVE products in turn)",
    targets: ["ours", "hand-written", "apollo"],
    staff: false,
    body: (data, i) =>
      JSON.stringify({ query: PRODUCT_DOCUMENT, variables: { id: pick(data.productIds, i) } }),
    ok: (body) => noErrors(body) && !body.includes('"product":null'),
  },
  {
    id: 3,
    title: "nested: 50 products → category → its first 5 products (ids), pages in turn",
    targets: ["ours", "apollo"],
    staff: false,
    body: (data, i) =>
      JSON.stringify({ query: NESTED_DOCUMENT, variables: { after: pick(data.cursors, i) } }),
    ok: noErrors,
  },
  {
    id: 4,
    title: "createProduct as staff (a new sku every request)",
    targets: ["ours"],
    staff: true,
    body: (_data, i) =>
      JSON.stringify({
        query: CREATE_DOCUMENT,
        variables: {
          input: {
            sku: `BENCH-${runTag}-${i}`,
            name: `Bench product ${i}`,
            price: "9.90",
            currency: "EUR",
            stock: 1,
          },
        },
      }),
    ok: (body) => noErrors(body) && body.includes('"__typename":"CreateProductPayload"'),
  },
  {
    id: 5,
    title: "repeated anonymous page: scenario 1's first request, identical every time",
    targets: ["ours"],
    staff: false,
    body: (data) => JSON.stringify({ query: PAGE_DOCUMENT, variables: pageVariables(data, 0) }),
    ok: noErrors,
  },
  {
    id: 6,
    title: "scenario 1's pages as staff (Authorization header; staff also see DRAFT and ARCHIVED)",
    targets: ["ours"],
    staff: true,
    body: (data, i) => JSON.stringify({ query: PAGE_DOCUMENT, variables: pageVariables(data, i) }),
    ok: noErrors,
  },
];

export function scenarioById(id: number): Scenario {
  const scenario = scenarios.find((candidate) => candidate.id === id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  return scenario;
}

export function requestHeaders(scenario: Scenario, data: BenchData): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(scenario.staff ? { authorization: `Bearer ${data.staffToken}` } : {}),
  };
}
