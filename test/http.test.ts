import { describe, expect, it } from "vitest";
import { CHEAP_QUERY, expectStillServing, getRaw, postJson } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

const server = startTestServer();

describe("HTTP endpoints", () => {
  it("answers /healthz while the process is up", async () => {
    const response = await server.fetch("/healthz");
    expect(response.status).toBe(200);
  });

  it("answers /readyz when the database answers, naming it", async () => {
    const response = await server.fetch("/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", database: "ok" });
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

describe("multipart requests (the schema takes no file upload)", () => {
  const boundary = "----upload";
  const upload = [
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n`,
    JSON.stringify({
      query: "query ($search: String) { products(filter: { search: $search }) { totalCount } }",
      variables: { search: null },
    }),
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.search"]}`,
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.txt"\r\n`,
    `Content-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
  ].join("");

  it("refuses a file mapped into a variable with 415 and a message that names no internals", async () => {
    const result = await postJson(server, upload, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      // Past CSRF prevention, which would refuse it first (403) without the header.
      "x-graphql-yoga-csrf": "1",
    });
    expect(result.status).toBe(415);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.message).toMatch(/not accepted.*no multipart requests or file uploads/);
    expect(result.body.errors?.[0]?.extensions?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(result.text).not.toMatch(/blobParts|_buffer|a\.txt|hello/);
  });

  it("refuses a multipart request without a file too", async () => {
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: CHEAP_QUERY })}\r\n--${boundary}--\r\n`;
    const result = await postJson(server, body, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "x-graphql-yoga-csrf": "1",
    });
    expect(result.status).toBe(415);
    expect(result.body.data ?? null).toBeNull();
  });
});
