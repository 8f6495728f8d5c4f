import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { sqliteFilename } from "../src/config.ts";
import { testDatabaseProvider } from "./databases.ts";
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
  startChild,
  stopChild,
} from "./helpers/child-server.ts";
import {
  allProducts,
  expectDurable,
  type LoadResult,
  loadUntilStopped,
  type Stored,
} from "./helpers/write-load.ts";

// What happens to writes when the real server (a child process, production mode; SQLite in WAL
// mode, or PostgreSQL) is stopped (SIGTERM) or killed (SIGKILL) under a steady write load, and
// restarted on the same database.

/** The restarted server and the database file both show every acknowledged write, intact. */
function expectIntactAfterRestart(scenario: Awaited<ReturnType<typeof writeStopAndRestart>>) {
  expectDurable(scenario.stored, scenario.load);
  expect(scenario.restartedExit).toEqual({ code: 0, signal: null });
  expect(scenario.database).toEqual({
    ...(testDatabaseProvider() === "sqlite" ? { integrity: "ok", journalMode: "wal" } : {}),
    products: scenario.stored.totalCount,
    broken: 0,
  });
}

const PRODUCT_COUNTS = `SELECT
  (SELECT COUNT(*) FROM "Product") AS products,
  -- Rows with a missing or mangled column.
  (SELECT COUNT(*) FROM "Product" WHERE "name" = '' OR "currency" <> 'EUR' OR "priceMicros" < 1000000 OR "stock" < 0) AS broken`;

/**
 * The database itself, read without the server once it is stopped: its products and, for a SQLite
 * file, SQLite's integrity check and journal mode.
 */
async function inspectDatabase(databaseUrl: string) {
  if (databaseUrl.startsWith("file:")) {
    const database = new Database(sqliteFilename(databaseUrl), { readonly: true });
    try {
      return {
        integrity: database.pragma("integrity_check", { simple: true }),
        journalMode: database.pragma("journal_mode", { simple: true }),
        ...(database.prepare(PRODUCT_COUNTS).get() as { products: number; broken: number }),
      };
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [counts] = (await client.query(PRODUCT_COUNTS)).rows;
    return { products: Number(counts.products), broken: Number(counts.broken) };
  } finally {
    await client.end();
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
  database: Awaited<ReturnType<typeof inspectDatabase>>;
};

/**
 * Starts the server, writes with 8 concurrent clients, sends `signal` once 40 writes are
 * acknowledged, waits for the process to end, restarts it on the same file and reads back.
 */
async function writeStopAndRestart(signal: "SIGTERM" | "SIGKILL"): Promise<Scenario> {
  const email = `admin-${randomUUID()}@example.test`;
  const databaseUrl = await freshDatabase(email);
  const first = await startChild(databaseUrl);
  const { accessToken } = await logIn(first, email);
  const load = await loadUntilStopped(first, accessToken, signal, () => first.process.kill(signal));
  const exit = await first.exit;
  const afterExit = await afterExitError(first);

  const second = await startChild(databaseUrl);
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
    database: await inspectDatabase(databaseUrl),
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
