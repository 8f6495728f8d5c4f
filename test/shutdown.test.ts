import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { createAccount } from "../src/services/accounts.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";

// The real entry point, `node --import tsx src/server.ts`, run as a child process in production
// mode on its own copy of the migrated database: what happens to writes, requests in flight and
// logs when the process is stopped (SIGTERM) or killed (SIGKILL).

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET_KEY = "shutdown-test-secret-key-0123456789-abcdefghij";
const ADMIN_PASSWORD = "Shutdown test admin pass phrase 42";
// Each test starts one or two child processes (a few seconds each on a small machine).
const CHILD_TEST_TIMEOUT = 90_000;

// ---------------------------------------------------------------------------------------------
// Child process helpers

type Exit = { code: number | null; signal: NodeJS.Signals | null };

type Child = {
  process: ChildProcess;
  url: string;
  databaseFile: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<Exit>;
};

const running = new Set<ChildProcess>();

afterAll(() => {
  // A failed test may leave a child behind; never let it outlive the test file.
  for (const child of running) child.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address == null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A fresh copy of the migrated template with one ADMIN account (created as user:create does). */
async function freshDatabase(email: string): Promise<string> {
  const databaseFile = databasePath(`shutdown-${randomUUID()}.db`);
  copyFileSync(templateDatabasePath(), databaseFile);
  const prisma = createPrisma(
    loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: `file:${databaseFile}` }),
  );
  try {
    await createAccount({ prisma }, { email, name: "Shutdown admin", password: ADMIN_PASSWORD }, "ADMIN");
  } finally {
    await prisma.$disconnect();
  }
  return databaseFile;
}

async function startChild(databaseFile: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: "production",
      SECRET_KEY,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${databaseFile}`,
      LOG_LEVEL: "info",
      RATE_LIMIT_REQUESTS: "1000000",
      RATE_LIMIT_MUTATIONS: "1000000",
      RATE_LIMIT_AUTH_ATTEMPTS: "1000000",
      // Blank means "default": no Redis, no trusted-documents manifest, whatever a .env says.
      REDIS_URL: "",
      TRUSTED_DOCUMENTS: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // "close" (not "exit") so that everything the child wrote has been read.
  const exit = new Promise<Exit>((resolve) =>
    child.once("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  let exited: Exit | undefined;
  void exit.then((value) => {
    exited = value;
  });
  for (;;) {
    if (exited) {
      throw new Error(`server exited before it was ready (${JSON.stringify(exited)}):\n${stderr}\n${stdout}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: child, url, databaseFile, stdout: () => stdout, stderr: () => stderr, exit };
}

async function stopChild(child: Child): Promise<Exit> {
  child.process.kill("SIGTERM");
  return child.exit;
}

/** The child's stdout, one parsed JSON object per line; a line that is not JSON fails the test. */
function logLines(child: Child): Record<string, any>[] {
  return child
    .stdout()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`stdout line is not JSON: ${line}`);
      }
    });
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

/**
 * One request through node:http: on a brand-new connection (agent false), or on `agent`'s
 * kept-alive connections, so which connection carries it is known.
 */
function sendOn(
  agent: Agent | false,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): { written: Promise<void>; answer: Promise<{ status: number; text: string }> } {
  const request = httpRequest({
    host: "127.0.0.1",
    port,
    path,
    method,
    agent,
    headers: body == null ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
  const written = new Promise<void>((resolve) => request.end(body ?? "", () => resolve()));
  return { written, answer };
}

type Reply = { status: number; requestId: string | null; body: any };

async function graphql(
  child: Child,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(`${child.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, requestId: response.headers.get("x-request-id"), body };
}

const LOG_IN = `
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      __typename
      ... on AuthPayload { accessToken refreshToken user { email role } }
      ... on Error { message code }
    }
  }
`;

async function logIn(child: Child, email: string) {
  const reply = await graphql(child, LOG_IN, { input: { email, password: ADMIN_PASSWORD } });
  const payload = reply.body?.data?.logIn;
  if (payload?.__typename !== "AuthPayload") throw new Error(`log-in failed: ${JSON.stringify(reply)}`);
  return payload as { accessToken: string; refreshToken: string };
}

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

function connectionErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? String(error);
}

// Failures of a request whose connection was refused, reset or closed: no HTTP answer at all.
const CONNECTION_ERRORS = ["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"];

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

// ---------------------------------------------------------------------------------------------
// Tests

describe("stopping the real server (node --import tsx src/server.ts, production, WAL)", () => {
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

  describe("requests in flight at SIGTERM", () => {
    let email: string;
    let child: Child;
    let replies: { status: number; text: string }[];
    let afterStop: string[];
    let exit: Exit;

    beforeAll(async () => {
      email = `admin-${randomUUID()}@example.test`;
      child = await startChild(await freshDatabase(email));
      const port = Number(new URL(child.url).port);
      const body = JSON.stringify({
        query: LOG_IN,
        variables: { input: { email, password: ADMIN_PASSWORD } },
      });
      // Eight kept-alive connections, one log-in on each. Log-ins are slow on purpose (scrypt),
      // and more of them than the thread pool runs at once.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      try {
        const sending = Array.from({ length: 8 }, () =>
          sendOn(agent, port, "POST", "/graphql", { "content-type": "application/json" }, body),
        );
        await Promise.all(sending.map(({ written }) => written));
        // A round trip on a connection opened after them: by the time it is answered, the server
        // has accepted and read the log-in connections (accepted in order), so they are in flight.
        const health = sendOn(false, port, "GET", "/healthz", {});
        if ((await health.answer).status !== 200) throw new Error("healthz failed");
        child.process.kill("SIGTERM");
        replies = await Promise.all(sending.map(({ answer }) => answer));

        // The stop has begun: a new request on the same connections must not be run.
        afterStop = await Promise.all(
          Array.from({ length: 8 }, () =>
            sendOn(
              agent,
              port,
              "POST",
              "/graphql",
              { "content-type": "application/json" },
              '{"query":"query AfterStop { __typename }"}',
            ).answer.then(
              (reply) => `HTTP ${reply.status}`,
              (error: NodeJS.ErrnoException) => error.code ?? String(error),
            ),
          ),
        );
      } finally {
        agent.destroy();
      }
      exit = await child.exit;
    }, CHILD_TEST_TIMEOUT);

    it("finish with a complete answer, then the process exits 0", () => {
      expect(replies).toHaveLength(8);
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        const payload = JSON.parse(reply.text).data.logIn;
        expect(payload.__typename).toBe("AuthPayload");
        expect(payload.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(typeof payload.refreshToken).toBe("string");
        expect(payload.user).toEqual({ email, role: "ADMIN" });
      }
      expect(exit).toEqual({ code: 0, signal: null });

      // The stop began while log-ins were still running: some of them were logged after it.
      const lines = logLines(child);
      const stopAt = lines.findIndex((line) => /^SIGTERM received/.test(line.msg));
      expect(stopAt).toBeGreaterThan(-1);
      const logInLines = lines
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.msg === "request" && line.operationName === "LogIn");
      expect(logInLines).toHaveLength(8);
      expect(logInLines.some(({ index }) => index > stopAt)).toBe(true);
      expect(logInLines.every(({ line }) => line.status === 200 && line.outcome === "ok")).toBe(true);
    });

    // server.close() alone only closes the connections idle at that moment; a kept-alive
    // connection busy with a request must be closed once answered, not serve a next request.
    it("close their kept-alive connections once answered", () => {
      expect(afterStop).toHaveLength(8);
      for (const outcome of afterStop) expect(CONNECTION_ERRORS).toContain(outcome);
    });
  });

  describe("request logs (stdout)", () => {
    // Parse errors, validation errors and graphql-armor limits end a request before execution;
    // with the default Accept, Yoga answers them with HTTP 200 and only `errors`.
    const refusedBeforeExecution = [
      { query: "{ products(first: ", message: /^Syntax Error: Unexpected <EOF>/ },
      { query: "query Unknown { nope }", message: /^Cannot query field "nope"/ },
      {
        query: `query Aliases { ${Array.from({ length: 20 }, (_, i) => `a${i}: products(first: 1) { totalCount }`).join(" ")} }`,
        message: /Aliases limit of 15 exceeded/,
      },
    ];
    const replies: { reply: Reply; operationName?: string; refused?: RegExp }[] = [];
    const secrets: string[] = [ADMIN_PASSWORD];
    let child: Child;
    let exit: Exit;
    let requestLines: Record<string, any>[] = [];
    const lineOf = (reply: Reply) => requestLines.filter((line) => line.requestId === reply.requestId);

    beforeAll(async () => {
      const email = `admin-${randomUUID()}@example.test`;
      child = await startChild(await freshDatabase(email));
      const send = async (operationName: string | undefined, ...args: Parameters<typeof graphql>) => {
        const reply = await graphql(...args);
        replies.push({ reply, operationName });
        return reply;
      };
      const login = await send("LogIn", child, LOG_IN, { input: { email, password: ADMIN_PASSWORD } });
      const { accessToken, refreshToken } = login.body.data.logIn;
      secrets.push(accessToken, refreshToken, accessToken.split(".")[2]);
      const auth = { authorization: `Bearer ${accessToken}` };
      await send("CatalogPage", child, "query CatalogPage { products(first: 2) { totalCount } }", {}, auth);
      await send(undefined, child, "{ me { email } }", {}, auth);
      await send("Me", child, "query Me { me { email } }", {}, { ...auth, "x-request-id": "logs-test.me-1" });
      await send("LogIn", child, LOG_IN, { input: { email, password: `${ADMIN_PASSWORD} (wrong)` } });
      const refreshed = await send(
        "Refresh",
        child,
        "mutation Refresh($t: String!) { refreshToken(input: { refreshToken: $t }) { ... on AuthPayload { refreshToken } } }",
        { t: refreshToken },
      );
      secrets.push(refreshed.body.data.refreshToken.refreshToken);
      for (const { query, message } of refusedBeforeExecution) {
        replies.push({ reply: await graphql(child, query), refused: message });
      }
      exit = await stopChild(child);
      requestLines = logLines(child).filter((line) => line.msg === "request" && line.path === "/graphql");
    }, CHILD_TEST_TIMEOUT);

    it("are JSON lines, one per GraphQL request, with its request id, operation and duration", () => {
      expect(exit).toEqual({ code: 0, signal: null });
      for (const line of logLines(child)) {
        expect(line.service).toBe("catalog-api");
        expect(typeof line.level).toBe("number");
        expect(typeof line.time).toBe("number");
      }
      expect(replies).toHaveLength(9);
      expect(requestLines).toHaveLength(replies.length);
      expect(replies[3]?.reply.requestId).toBe("logs-test.me-1");
      for (const { reply, operationName } of replies) {
        expect(reply.requestId).toMatch(/^[\w.-]{1,64}$/);
        expect(lineOf(reply), `request line for ${reply.requestId}`).toHaveLength(1);
        const line = lineOf(reply)[0] as Record<string, any>;
        expect(line.operationName).toBe(operationName);
        expect(line.method).toBe("POST");
        expect(line.status).toBe(reply.status);
        expect(typeof line.durationMs).toBe("number");
        expect(Number.isFinite(line.durationMs)).toBe(true);
        expect(typeof line.outcome).toBe("string");
      }
    });

    it("never contain the password, the access token or a refresh token", () => {
      expect(secrets).toHaveLength(5);
      const output = child.stdout() + child.stderr();
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(8);
        expect(output).not.toContain(secret);
      }
    });

    it("answer operations refused before execution with HTTP 200 and errors only", () => {
      const refused = replies.filter(({ refused }) => refused);
      expect(refused).toHaveLength(refusedBeforeExecution.length);
      for (const { reply, refused: message } of refused) {
        expect(reply.status).toBe(200);
        expect(reply.body.data).toBeUndefined();
        expect(reply.body.errors[0].message).toMatch(message as RegExp);
        expect(lineOf(reply)).toHaveLength(1);
      }
    });

    // Was a bug: the outcome only counts errors raised during execution (onExecuteDone) or an HTTP
    // status >= 400, so a request that failed to parse or validate, or was refused by a
    // graphql-armor limit, is logged with outcome "ok" whenever Yoga answers it with HTTP 200.
    it("give operations refused before execution an outcome other than ok", () => {
      const refused = replies.filter(({ refused }) => refused);
      expect(refused).toHaveLength(refusedBeforeExecution.length);
      for (const { reply } of refused) expect(lineOf(reply)[0]?.outcome).not.toBe("ok");
    });
  });

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
