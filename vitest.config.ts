import { createRequire } from "node:module";
import pg from "pg";
import { defineConfig } from "vitest/config";
import { redactUrl } from "./src/config.ts";
import { TEST_POSTGRESQL_URL } from "./test/databases.ts";

const require = createRequire(import.meta.url);

/**
 * Files that do not depend on the database, or are about SQLite itself (its migration runner, its
 * query plans, its files): they run once, in the sqlite project. Every other file runs against
 * both databases.
 */
const sqliteOnly = [
  // SQLite's own runner, planner and files.
  "test/migrations.test.ts",
  "test/query-plan.test.ts",
  "test/query-indexes.test.ts",
  "test/generated-files.test.ts",
  // No database involved, or none beyond starting a server: the same on both.
  "test/bench-smoke.test.ts",
  "test/client-codegen.test.ts",
  "test/config.test.ts",
  "test/dependencies.test.ts",
  "test/graphiql-browser.test.ts",
  "test/graphiql.test.ts",
  "test/money.test.ts",
  "test/passwords.test.ts",
  "test/schema-contract.test.ts",
  "test/workers.test.ts",
];

const globalSetup = ["test/global-setup.ts"];

/** Files about PostgreSQL itself, run once, in the postgresql project. */
const postgresqlOnly = ["test/postgresql-*.test.ts"];

/**
 * Whether the PostgreSQL server the tests use lets them in. Without one (a laptop), or where it
 * refuses the connection (a password it was not given), the postgresql half of the suite is left
 * out and says why; in CI (CI=true) that fails the run instead.
 */
async function postgresqlReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRESQL_URL, connectionTimeoutMillis: 2_000 });
  const refusal = await client.connect().then(
    () => null,
    (error: Error) => error.message || String(error),
  );
  await client.end().catch(() => {});
  const shown = redactUrl(TEST_POSTGRESQL_URL);
  if (refusal && process.env.CI) {
    throw new Error(`CI runs the test suite against PostgreSQL too, and ${shown} refused: ${refusal}`);
  }
  if (refusal) {
    console.warn(
      `No PostgreSQL for the tests at ${shown} (${refusal}; set TEST_POSTGRESQL_URL): the suite runs against SQLite only; the PostgreSQL half is skipped.`,
    );
  }
  return refusal === null;
}

export default defineConfig(async () => ({
  resolve: {
    // Node (and so Yoga and Pothos) loads graphql's CommonJS build; without this alias Vite would
    // hand our source files the .mjs build, and two graphql instances break `instanceof`.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    // Each test file starts its own server with its own database; forks keep the native
    // better-sqlite3 module out of worker threads.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The whole suite once per database; test/global-setup.ts (named in each project: vitest runs
    // a root-level one only for the root) gives each project its database.
    projects: [
      {
        extends: true,
        test: { name: "sqlite", globalSetup, include: ["test/**/*.test.ts"], exclude: postgresqlOnly },
      },
      ...((await postgresqlReachable())
        ? [
            {
              extends: true,
              test: { name: "postgresql", globalSetup, include: ["test/**/*.test.ts"], exclude: sqliteOnly },
            },
          ]
        : []),
    ],
  },
}));
