import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { type Child, connectionErrorCode, graphql, type Reply } from "./child-server.ts";

// A steady load of createProduct against a server child process, stopped or killed part-way, and
// the check that every acknowledged write is stored, intact (test/shutdown-durability.test.ts,
// test/postgresql-processes.test.ts).

export const CREATE_PRODUCT = `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on CreateProductPayload { product { sku name description stock status price { amount currency } } }
      ... on Error { message code }
    }
  }
`;

export const ALL_PRODUCTS = `
  query AllProducts($after: String) {
    products(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { sku name description stock status price { amount currency } } }
    }
  }
`;

export type ProductFields = {
  sku: string;
  name: string;
  description: string;
  stock: number;
  status: string;
  price: { amount: string; currency: string };
};

/** What the load sends for its i-th product: every field derived from i, so any mix-up shows. */
export function productInput(prefix: string, index: number): ProductFields {
  return {
    sku: `${prefix}-${index}`,
    name: `Load product ${index} of ${prefix} — “durable”`,
    description: Array.from({ length: 1 + (index % 5) }, () => `Written by load #${index}.`).join(" "),
    stock: (index * 37) % 1000,
    status: index % 2 === 0 ? "ACTIVE" : "DRAFT",
    price: { amount: `${1 + (index % 997)}.${String(index % 100).padStart(2, "0")}`, currency: "EUR" },
  };
}

export type LoadResult = {
  sent: Map<string, ProductFields>;
  acknowledged: Set<string>;
  /** Sent, but the connection failed before an answer: may or may not have been committed. */
  unanswered: Set<string>;
  /** Answers that were neither a success nor a connection error (must stay empty). */
  unexpected: string[];
  connectionErrors: string[];
  /** Requests a draining server answered 503 on a kept-alive connection: refused, never applied. */
  refusedWhileDraining: Set<string>;
  inFlightAtStop: number;
};

/**
 * Runs `workers` loops of createProduct against the child until each meets a connection error;
 * `stop` is called once `acknowledgedBeforeStop` products have been acknowledged.
 */
export async function loadUntilStopped(
  child: Child,
  token: string,
  prefix: string,
  stop: () => void,
  { workers = 8, acknowledgedBeforeStop = 40, maxRequests = 50_000 } = {},
): Promise<LoadResult> {
  const result: LoadResult = {
    sent: new Map(),
    acknowledged: new Set(),
    unanswered: new Set(),
    unexpected: [],
    connectionErrors: [],
    refusedWhileDraining: new Set(),
    inFlightAtStop: -1,
  };
  let next = 0;
  let inFlight = 0;
  let stopped = false;
  const worker = async () => {
    while (next < maxRequests) {
      const index = next++;
      const fields = productInput(prefix, index);
      result.sent.set(fields.sku, fields);
      const { sku, name, description, stock, status, price } = fields;
      inFlight += 1;
      let reply: Reply;
      try {
        reply = await graphql(
          child,
          CREATE_PRODUCT,
          { input: { sku, name, description, stock, status, price: price.amount, currency: price.currency } },
          { authorization: `Bearer ${token}` },
        );
      } catch (error) {
        result.unanswered.add(sku);
        result.connectionErrors.push(connectionErrorCode(error));
        return;
      } finally {
        inFlight -= 1;
      }
      const payload = reply.body?.data?.createProduct;
      if (reply.status === 200 && payload?.__typename === "CreateProductPayload") {
        result.acknowledged.add(sku);
        // The answer echoes what was stored: it must be what was sent.
        if (!isDeepStrictEqual(payload.product, fields)) {
          result.unexpected.push(`${sku}: echoed ${JSON.stringify(payload.product)}`);
        }
      } else if (reply.status === 503 && stopped) {
        result.refusedWhileDraining.add(sku);
        return;
      } else {
        result.unexpected.push(`${sku}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      if (!stopped && result.acknowledged.size >= acknowledgedBeforeStop) {
        stopped = true;
        result.inFlightAtStop = inFlight;
        stop();
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}

export async function allProducts(child: Child, token: string): Promise<Stored> {
  const nodes: ProductFields[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (;;) {
    const reply = await graphql(child, ALL_PRODUCTS, { after }, { authorization: `Bearer ${token}` });
    if (reply.status !== 200 || reply.body.errors) throw new Error(`products: ${JSON.stringify(reply)}`);
    const page = reply.body.data.products;
    totalCount = page.totalCount;
    nodes.push(...page.edges.map((edge: { node: ProductFields }) => edge.node));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { totalCount, nodes };
}

export type Stored = { totalCount: number; nodes: ProductFields[] };

export function expectDurable(stored: Stored, load: LoadResult) {
  const { totalCount, nodes } = stored;
  expect(nodes).toHaveLength(totalCount);
  const found = new Map(nodes.map((node) => [node.sku, node]));
  expect(found.size).toBe(nodes.length);

  const missing = [...load.acknowledged].filter((sku) => !found.has(sku));
  expect(missing, "acknowledged but missing after restart").toEqual([]);
  for (const node of nodes) {
    // Every stored product is one that was sent, with every field as sent: nothing half-written.
    expect(load.sent.get(node.sku), `unexpected product ${node.sku}`).toBeDefined();
    expect(node).toEqual(load.sent.get(node.sku));
  }
  const committedButUnanswered = nodes.filter((node) => !load.acknowledged.has(node.sku));
  for (const node of committedButUnanswered) {
    expect(load.unanswered.has(node.sku), `${node.sku} was refused yet stored`).toBe(true);
  }
  expect(totalCount).toBe(load.acknowledged.size + committedButUnanswered.length);
  expect(committedButUnanswered.length).toBeLessThanOrEqual(load.unanswered.size);
}
