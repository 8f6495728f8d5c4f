import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CHILD_TEST_TIMEOUT,
  type Child,
  CONNECTION_ERRORS,
  connectionErrorCode,
  type Exit,
  freshDatabase,
  graphql,
  logIn,
  logLines,
  type Reply,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";

// What happens to writes when the real server (a child process, production mode, WAL) is stopped
// (SIGTERM) or killed (SIGKILL) under a steady write load, and restarted on the same file.

const CREATE_PRODUCT = `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on CreateProductPayload { product { sku name description stock status price { amount currency } } }
      ... on Error { message code }
    }
  }
`;

const ALL_PRODUCTS = `
  query AllProducts($after: String) {
    products(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { sku name description stock status price { amount currency } } }
    }
  }
`;

type ProductFields = {
  sku: string;
  name: string;
  description: string;
  stock: number;
  status: string;
  price: { amount: string; currency: string };
};

/** What the load sends for its i-th product: every field derived from i, so any mix-up shows. */
function productInput(prefix: string, index: number): ProductFields {
  return {
    sku: `${prefix}-${index}`,
    name: `Load product ${index} of ${prefix} — “durable”`,
    description: Array.from({ length: 1 + (index % 5) }, () => `Written by load #${index}.`).join(" "),
    stock: (index * 37) % 1000,
    status: index % 2 === 0 ? "ACTIVE" : "DRAFT",
    price: { amount: `${1 + (index % 997)}.${String(index % 100).padStart(2, "0")}`, currency: "EUR" },
  };
}

type LoadResult = {
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
async function loadUntilStopped(
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

async function allProducts(child: Child, token: string): Promise<Stored> {
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

type Stored = { totalCount: number; nodes: ProductFields[] };

/**
 * Read back after a restart on the same file: every acknowledged write is there exactly as sent,
 * and nothing else is there but complete writes whose answer was lost.
 */
/** The restarted server and the database file both show every acknowledged write, intact. */
function expectIntactAfterRestart(scenario: Awaited<ReturnType<typeof writeStopAndRestart>>) {
  expectDurable(scenario.stored, scenario.load);
  expect(scenario.restartedExit).toEqual({ code: 0, signal: null });
  expect(scenario.file).toEqual({
    integrity: "ok",
    journalMode: "wal",
    products: scenario.stored.totalCount,
    broken: 0,
  });
}

function expectDurable(stored: Stored, load: LoadResult) {
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

/** The file itself, read with better-sqlite3 once the server is stopped. */
function inspectFile(databaseFile: string) {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const count = (sql: string) => (database.prepare(sql).get() as { count: number }).count;
    return {
      integrity: database.pragma("integrity_check", { simple: true }),
      journalMode: database.pragma("journal_mode", { simple: true }),
      products: count("SELECT COUNT(*) AS count FROM Product"),
      // Rows with a missing or mangled column.
      broken: count(
        "SELECT COUNT(*) AS count FROM Product WHERE name = '' OR currency <> 'EUR' OR priceMicros < 1000000 OR stock < 0",
      ),
    };
  } finally {
    database.close();
  }
}

/** What a request gets once the process is gone: the code of its connection error. */
async function afterExitError(child: Child): Promise<string> {
  return graphql(child, "{ __typename }").then(
    (reply) => `answered after exit: HTTP ${reply.status}`,
    (failure: unknown) => connectionErrorCode(failure),
  );
}

type Scenario = {
  load: LoadResult;
  exit: Exit;
  log: Record<string, any>[];
  stderr: string;
  afterExit: string;
  stored: Stored;
  restartedExit: Exit;
  file: ReturnType<typeof inspectFile>;
};

/**
 * Starts the server, writes with 8 concurrent clients, sends `signal` once 40 writes are
 * acknowledged, waits for the process to end, restarts it on the same file and reads back.
 */
async function writeStopAndRestart(signal: "SIGTERM" | "SIGKILL"): Promise<Scenario> {
  const email = `admin-${randomUUID()}@example.test`;
  const databaseFile = await freshDatabase(email);
  const first = await startChild(databaseFile);
  const { accessToken } = await logIn(first, email);
  const load = await loadUntilStopped(first, accessToken, signal, () => first.process.kill(signal));
  const exit = await first.exit;
  const afterExit = await afterExitError(first);

  const second = await startChild(databaseFile);
  const stored = await allProducts(second, accessToken);
  const restartedExit = await stopChild(second);
  return {
    load,
    exit,
    log: logLines(first),
    stderr: first.stderr(),
    afterExit,
    stored,
    restartedExit,
    file: inspectFile(databaseFile),
  };
}

describe("stopping the real server (node src/server.ts, production, WAL)", () => {
  describe("SIGTERM under a steady write load", () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await writeStopAndRestart("SIGTERM");
    }, CHILD_TEST_TIMEOUT);

    it("exits with code 0 and logs its stop", () => {
      expect(scenario.exit).toEqual({ code: 0, signal: null });
      expect(scenario.log.some((line) => /^SIGTERM received/.test(line.msg))).toBe(true);
      expect(scenario.stderr).toBe("");
    });

    it("answers every request with a success, a 503 once draining, or a connection failure", () => {
      const { load } = scenario;
      expect(load.inFlightAtStop, "no request was in flight when SIGTERM was sent").toBeGreaterThan(0);
      expect(load.acknowledged.size).toBeGreaterThanOrEqual(40);
      expect(load.unexpected, "answers that were neither a success nor a connection error").toEqual([]);
      // Every worker ran until a request was refused: with a 503 on its kept-alive connection
      // once the server began draining, or at the connection (refused, reset or closed).
      expect(load.connectionErrors.length + load.refusedWhileDraining.size).toBe(8);
      for (const code of load.connectionErrors) expect(CONNECTION_ERRORS).toContain(code);
      expect(scenario.afterExit).toBe("ECONNREFUSED");
    });

    it("keeps every acknowledged write, complete and exactly as sent, across a restart", () => {
      expectIntactAfterRestart(scenario);
    });
  });

  it(
    "SIGKILL under a steady write load: every acknowledged write survives a restart",
    async () => {
      const scenario = await writeStopAndRestart("SIGKILL");
      expect(scenario.exit).toEqual({ code: null, signal: "SIGKILL" });
      const { load } = scenario;
      expect(load.inFlightAtStop, "no request was in flight when SIGKILL was sent").toBeGreaterThan(0);
      expect(load.acknowledged.size).toBeGreaterThanOrEqual(40);
      expect(load.unexpected).toEqual([]);
      expect(load.connectionErrors).toHaveLength(8);
      for (const code of load.connectionErrors) expect(CONNECTION_ERRORS).toContain(code);
      expect(scenario.afterExit).toBe("ECONNREFUSED");

      expectIntactAfterRestart(scenario);
    },
    CHILD_TEST_TIMEOUT,
  );
});
