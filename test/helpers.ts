import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { type App, createApp } from "../src/app.ts";
import { type Config, loadConfig } from "../src/config.ts";
import { databasePath, templateDatabasePath } from "./paths.ts";

export type GraphQLResponse<Data = Record<string, any>> = {
  data?: Data | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
};

export type TestServer = {
  app: App;
  url: string;
  /** POSTs a GraphQL operation and returns the parsed body (whatever the HTTP status). */
  graphql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  /** Raw HTTP, for malformed requests and non-GraphQL endpoints. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
};

/**
 * Starts a real server on an ephemeral port with its own migrated SQLite file, for the test file
 * that calls it; stopped after the file's tests. Environment overrides go through loadConfig,
 * exactly as in production.
 */
export function startTestServer(environment: Record<string, string> = {}): TestServer {
  const server = {} as TestServer;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const databaseFile = databasePath(`${randomUUID()}.db`);
    copyFileSync(templateDatabasePath(), databaseFile);
    const config: Config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: `file:${databaseFile}`,
      ...environment,
    });
    server.app = createApp(config);
    const listening = await server.app.listen(0, "127.0.0.1");
    close = listening.close;
    server.url = listening.url;
    server.fetch = (path, init) => fetch(`${listening.url}${path}`, init);
    server.graphql = async (query, variables, headers) => {
      const response = await server.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    };
  });
  afterAll(async () => {
    await close?.();
  });
  return server;
}
