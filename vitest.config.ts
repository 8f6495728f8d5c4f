import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node (and so Yoga and Pothos) loads graphql's CommonJS build; without this alias Vite would
    // hand our source files the .mjs build, and two graphql instances break `instanceof`.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each test file starts its own server with its own SQLite file; forks keep the native
    // better-sqlite3 module out of worker threads.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
