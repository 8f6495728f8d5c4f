import { describe, expect, it } from "vitest";
import { CHEAP_QUERY, expectStillServing, getRaw, postJson } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();

describe("HTTP endpoints", () => {
  it("answers /healthz while the process is up", async () => {
    const response = await server.fetch("/healthz");
    expect(response.status).toBe(200);
  });

  it("answers /readyz when the database answers", async () => {
    const response = await server.fetch("/readyz");
    expect(response.status).toBe(200);
  });

  it("echoes a well-formed X-Request-Id and replaces a malformed one", async () => {
    const kept = await server.fetch("/graphql?query=%7B__typename%7D", {
      headers: { "x-request-id": "abc-123" },
    });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await server.fetch("/graphql?query=%7B__typename%7D", {
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves GraphiQL to a browser outside production", async () => {
    const response = await server.fetch("/graphql", { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Product catalog");
  });
});

describe("malformed requests get standard GraphQL errors, never a 500", () => {
  it("rejects a syntax error", async () => {
    const body = await server.graphql("{ products { ");
    expect(body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it("rejects an unknown field", async () => {
    const body = await server.graphql("{ nope }");
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it("rejects broken JSON with 400", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors[0].message).toMatch(/JSON/i);
  });

  it("rejects a variable of the wrong type", async () => {
    const body = await server.graphql("query ($first: Int) { products(first: $first) { totalCount } }", {
      first: "ten",
    });
    expect(body.errors?.[0]?.message).toMatch(/Int cannot represent/);
  });

  it("rejects a request without a query", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ variables: {} }),
    });
    const body = await response.json();
    expect(body.errors[0].message).toBe("Must provide query string.");
  });
});

describe("a Host header that makes no URL", () => {
  it.each([
    ["[::1", "/healthz"],
    ["x:99999", "/healthz"],
    ["a b", "/healthz"],
    ["[::1", `/graphql?query=${encodeURIComponent(CHEAP_QUERY)}`],
    ["x:99999", "/readyz"],
  ])("Host: %s on %s gets 400 with a plain message, no internals", async (host, path) => {
    const response = await getRaw(server, path, { host });
    expect(response.status).toBe(400);
    const text = response.body.toString("utf8");
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: "The Host header or the request target is not valid" }],
    });
    expect(text).not.toMatch(/node_modules|Invalid URL|\bat /);
    await expectStillServing(server);
  });

  it("still answers a valid Host, with a port or in brackets", async () => {
    for (const host of ["localhost:4000", "[::1]:4000", "api.example"]) {
      const response = await getRaw(server, "/healthz", { host });
      expect(response.status).toBe(200);
    }
  });
});
