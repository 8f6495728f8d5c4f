import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

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
    ["MAX_PAGE_SIZE", "0"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it("refuses a default page size above the maximum", () => {
    expect(() => loadConfig({ MAX_PAGE_SIZE: "10", DEFAULT_PAGE_SIZE: "20" })).toThrow(/DEFAULT_PAGE_SIZE/);
  });
});
