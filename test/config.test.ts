import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configVariables, loadConfig } from "../src/config.ts";
import { databasePath } from "./paths.ts";

describe("configuration from the environment", () => {
  it("has working defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      environment: "development",
      databaseUrl: "file:./data/catalog.db",
      port: 4000,
      host: "0.0.0.0",
      logLevel: "info",
      maxPageSize: 100,
      defaultPageSize: 20,
    });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "" }).port).toBe(4000);
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["NODE_ENV", "staging"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://localhost/catalog"],
    ["DATABASE_POOL_SIZE", "0"],
    ["WEB_CONCURRENCY", "0"],
    ["STARTUP_TIMEOUT_SECONDS", "-1"],
    ["MAX_PAGE_SIZE", "0"],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://collector:4317"],
    ["RESPONSE_CACHE_TTL_SECONDS", "-1"],
    ["RESPONSE_CACHE_TTL_SECONDS", "1.5"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it("requires SECRET_KEY with several workers wherever each would generate its own", () => {
    expect(() => loadConfig({ NODE_ENV: "test", WEB_CONCURRENCY: "2" })).toThrow(
      /SECRET_KEY: is required with WEB_CONCURRENCY above 1/,
    );
    expect(loadConfig({ NODE_ENV: "test", WEB_CONCURRENCY: "2", SECRET_KEY: "x".repeat(32) }).workers).toBe(
      2,
    );
  });

  it("reads a PostgreSQL DATABASE_URL and its pool size", () => {
    const config = loadConfig({
      DATABASE_URL: "postgresql://catalog@db:5432/catalog",
      DATABASE_POOL_SIZE: "25",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgresql://catalog@db:5432/catalog",
      databasePoolSize: 25,
    });
    expect(() => loadConfig({ DATABASE_URL: "mysql://db/catalog" })).toThrow(
      /DATABASE_URL: must be file:<path> \(SQLite\) or postgresql:\/\/… \(PostgreSQL\)/,
    );
  });

  it("requires SECRET_KEY in production, naming it", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SECRET_KEY: is required in production/);
    const config = loadConfig({ NODE_ENV: "production", SECRET_KEY: "x".repeat(32) });
    expect(config.auth).toMatchObject({
      secretKey: "x".repeat(32),
      secretKeyGenerated: false,
      secretKeyFile: null,
    });
  });

  it("generates a random key per process in tests, and says so", () => {
    const first = loadConfig({ NODE_ENV: "test" });
    const second = loadConfig({ NODE_ENV: "test" });
    expect(first.auth).toMatchObject({ secretKeyGenerated: true, secretKeyFile: null });
    expect(first.auth.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(first.auth.secretKey).not.toBe(second.auth.secretKey);
  });

  it("in development keeps one generated key in a file beside the database, so restarts keep sessions", () => {
    const folder = databasePath(`keys-${randomUUID()}`);
    const environment = { NODE_ENV: "development", DATABASE_URL: `file:${folder}/catalog.db` };
    const first = loadConfig(environment);
    const keyFile = join(folder, "development-secret-key");
    expect(first.auth).toMatchObject({ secretKeyGenerated: true, secretKeyFile: keyFile });
    expect(first.auth.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(first.auth.secretKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(loadConfig(environment).auth.secretKey).toBe(first.auth.secretKey);

    const elsewhere = loadConfig({ ...environment, DATABASE_URL: `file:${folder}-other/catalog.db` });
    expect(elsewhere.auth.secretKey).not.toBe(first.auth.secretKey);
    // SECRET_KEY wins, and production never falls back to the file.
    const set = loadConfig({ ...environment, SECRET_KEY: "y".repeat(32) }).auth;
    expect(set).toMatchObject({ secretKey: "y".repeat(32), secretKeyGenerated: false, secretKeyFile: null });
    expect(() => loadConfig({ ...environment, NODE_ENV: "production" })).toThrow(
      /SECRET_KEY: is required in production/,
    );
  });

  it("refuses a development key file that holds no usable key, naming it", () => {
    const folder = databasePath(`keys-${randomUUID()}`);
    mkdirSync(folder);
    writeFileSync(join(folder, "development-secret-key"), "short\n");
    expect(() => loadConfig({ DATABASE_URL: `file:${folder}/catalog.db` })).toThrow(
      /SECRET_KEY: not set, and .*development-secret-key holds no usable development key/,
    );
  });

  it("refuses a short SECRET_KEY", () => {
    expect(() => loadConfig({ SECRET_KEY: "short" })).toThrow(/SECRET_KEY: must be at least 32 characters/);
  });

  it("traces only when an OTLP endpoint is set, to <endpoint>/v1/traces without a doubled slash", () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing).toEqual({
      endpoint: "http://collector:4318",
      serviceName: "catalog-api",
    });
  });

  it("caches responses for 60 seconds by default, and not at all with RESPONSE_CACHE_TTL_SECONDS=0", () => {
    expect(loadConfig({}).responseCache).toEqual({ ttlSeconds: 60 });
    expect(loadConfig({ RESPONSE_CACHE_TTL_SECONDS: "5" }).responseCache).toEqual({ ttlSeconds: 5 });
    expect(loadConfig({ RESPONSE_CACHE_TTL_SECONDS: "0" }).responseCache).toBeNull();
  });

  it("refuses a default page size above the maximum", () => {
    expect(() => loadConfig({ MAX_PAGE_SIZE: "10", DEFAULT_PAGE_SIZE: "20" })).toThrow(/DEFAULT_PAGE_SIZE/);
  });

  it("documents every variable in the README's configuration table and in .env.example", () => {
    const readme = readFileSync("README.md", "utf8");
    const table = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("## Running in production"),
    );
    const example = readFileSync(".env.example", "utf8");
    expect(configVariables.length).toBeGreaterThan(30);
    for (const name of configVariables) {
      expect(table, `README table lacks ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example lacks ${name}`).toMatch(new RegExp(`^#? ?${name}=`, "m"));
    }
  });
});
