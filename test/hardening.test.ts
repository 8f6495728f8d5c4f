import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./helpers/server.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

const SECRET_KEY = "a-test-secret-key-that-is-long-enough-1234";
const CHEAP_QUERY = "{ products(first: 1) { totalCount } }";
const INTROSPECTION_QUERY = "{ __schema { types { name } } }";

/** POSTs a JSON body and returns the HTTP status, the headers and the parsed body. */
async function postJson(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await server.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: parse(text) };
}

function parse(text: string): GraphQLResponse {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** A GraphQL body padded (with an unused variable) to exactly `bytes` bytes of JSON. */
function paddedBody(bytes: number, query = "{ __typename }"): string {
  const empty = JSON.stringify({ query, variables: { pad: "" } });
  const body = JSON.stringify({ query, variables: { pad: "x".repeat(bytes - empty.length) } });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

type RawOutcome = { status?: number; body?: string; error?: string };

/**
 * POSTs a body with node:http in several writes and no Content-Length, so it goes out as
 * `Transfer-Encoding: chunked` and the server cannot know its size up front. Resolves with the
 * response, or with the error if the server closed the connection instead of answering.
 */
function postChunked(server: TestServer, chunks: string[]): Promise<RawOutcome> {
  const url = new URL("/graphql", server.url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => settle({ status: response.statusCode, body }));
        response.on("error", (error) => settle({ status: response.statusCode, body, error: error.message }));
      },
    );
    request.on("error", (error) => settle({ error: error.message }));
    const writeNext = (index: number) => {
      if (index === chunks.length) {
        request.end();
        return;
      }
      if (request.destroyed) return;
      request.write(chunks[index], () => setImmediate(() => writeNext(index + 1)));
    };
    expect(request.getHeader("content-length")).toBeUndefined();
    writeNext(0);
  });
}

function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks;
}

/** Asserts that a normal operation still gets a normal answer from this server. */
async function expectStillServing(server: TestServer) {
  const body = await server.graphql(CHEAP_QUERY);
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ products: { totalCount: expect.any(Number) } });
}

/** What GET /graphql answers a browser: GraphiQL where it is served. */
function graphiql(server: TestServer) {
  return server.fetch("/graphql", { headers: { accept: "text/html" } }).then((response) => response.text());
}

/** Refused while the document is checked: no `data` at all, so no resolver ran. */
function expectRefused(body: GraphQLResponse, message: RegExp) {
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors?.[0]?.message).toMatch(message);
}

// ---------------------------------------------------------------------------------------------
// Operation shape limits

describe("depth limit (MAX_DEPTH=5)", () => {
  const server = startTestServer({ MAX_DEPTH: "5" });
  const staff = server.as("STAFF");

  // categoryBySlug is at depth 1, each parent one deeper, name deepest: depth = parents + 2.
  const nested = (parents: number) =>
    `{ categoryBySlug(slug: "none") { ${"parent { ".repeat(parents)}name${" }".repeat(parents)} } }`;

  it("refuses a query one level too deep, naming the limit", async () => {
    const body = await server.graphql(nested(4));
    expectRefused(body, /depth limit of 5 exceeded, found 6/i);
  });

  it("runs a query exactly at the limit", async () => {
    const body = await server.graphql(nested(3));
    expect(body).toEqual({ data: { categoryBySlug: null } });
  });

  it("refuses a too-deep mutation before it runs: nothing is written", async () => {
    const slug = `deep-${randomUUID()}`;
    const mutation = (selection: string) =>
      `mutation ($input: CreateCategoryInput!) {
        createCategory(input: $input) {
          __typename ... on CreateCategoryPayload { category { ${selection} } }
        }
      }`;
    // createCategory=1, fragment=2, category=3, parent=4, parent=5, name=6.
    const refused = await staff.graphql(mutation("parent { parent { name } }"), {
      input: { name: "Deep", slug },
    });
    expectRefused(refused, /depth limit of 5/i);
    const lookUp = await server.graphql(`{ categoryBySlug(slug: "${slug}") { slug } }`);
    expect(lookUp).toEqual({ data: { categoryBySlug: null } });

    // The same mutation within the limit does write, so the check above can tell the difference.
    const accepted = await staff.graphql(mutation("slug"), { input: { name: "Deep", slug } });
    expect(accepted.data?.createCategory).toEqual({
      __typename: "CreateCategoryPayload",
      category: { slug },
    });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("aliases limit (MAX_ALIASES=3)", () => {
  const server = startTestServer({ MAX_ALIASES: "3" });
  const aliased = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: categoryBySlug(slug: "none") { id }`).join(" ")} }`;

  it("refuses one alias too many, naming the limit", async () => {
    const body = await server.graphql(aliased(4));
    expectRefused(body, /aliases limit of 3 exceeded, found 4/i);
  });

  it("runs a query with exactly as many aliases as allowed", async () => {
    const body = await server.graphql(aliased(3));
    expect(body).toEqual({ data: { a0: null, a1: null, a2: null } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("token limit (MAX_TOKENS=20)", () => {
  const server = startTestServer({ MAX_TOKENS: "20" });
  // `{`, `}` and one token per repeated field.
  const tokens = (count: number) => `{ ${"__typename ".repeat(count - 2)}}`;

  it("refuses a document of 21 tokens, naming the limit", async () => {
    const body = await server.graphql(tokens(21));
    expectRefused(body, /token limit of 20 exceeded/i);
  });

  it("runs a document of exactly 20 tokens", async () => {
    const body = await server.graphql(tokens(20));
    expect(body).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("directives limit (MAX_DIRECTIVES=3)", () => {
  const server = startTestServer({ MAX_DIRECTIVES: "3" });
  const directives = (count: number) => `{ ${"__typename @include(if: true) ".repeat(count)}}`;

  it("refuses one directive too many, naming the limit", async () => {
    const body = await server.graphql(directives(4));
    expectRefused(body, /directives limit of 3 exceeded, found 4/i);
  });

  it("runs a query with exactly as many directives as allowed", async () => {
    const body = await server.graphql(directives(3));
    expect(body).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

describe("cost limit (MAX_COST=20)", () => {
  const server = startTestServer({ MAX_COST: "20" });
  // A connection costs (2 + 1.5 × 1) per requested item: first: 5 costs 17.5, first: 6 costs 21.
  const products = (first: number) => `{ products(first: ${first}) { totalCount } }`;

  it("refuses a query over the cost limit, naming the limit", async () => {
    const body = await server.graphql(products(6));
    expectRefused(body, /cost limit of 20 exceeded/i);
  });

  it("runs a query just under the cost limit", async () => {
    const body = await server.graphql(products(5));
    expect(body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

// ---------------------------------------------------------------------------------------------
// Request body size

describe("slow clients (REQUEST_TIMEOUT_MS=1000)", () => {
  const server = startTestServer({ REQUEST_TIMEOUT_MS: "1000" });

  /** Sends `data` over a raw connection, then waits (without sending more) until the server closes it. */
  function sendAndWait(data: string): Promise<string> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(data));
      let received = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(received));
    });
  }

  it("answers 408 and closes a connection whose headers never end", async () => {
    const answer = await sendAndWait(
      "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 and closes a connection whose body never arrives in full", async () => {
    const body = JSON.stringify({ query: CHEAP_QUERY });
    const answer = await sendAndWait(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("still answers ordinary requests", async () => {
    expect((await postJson(server, { query: CHEAP_QUERY })).status).toBe(200);
  });
});

describe("request body size (MAX_BODY_BYTES=2048)", () => {
  const server = startTestServer({ MAX_BODY_BYTES: "2048" });

  it("refuses a 3 KB body that declares its Content-Length with 413", async () => {
    const result = await postJson(server, paddedBody(3072));
    expect(result.status).toBe(413);
    expect(result.body.errors?.[0]?.message).toContain("2048 bytes");
  });

  it("refuses a chunked body that grows past the limit: 413 or a closed connection, never an answer", async () => {
    const outcome = await postChunked(server, chunksOf(paddedBody(4096), 512));
    if (outcome.status !== undefined) expect(outcome.status).toBe(413);
    else expect(outcome.error).toBeDefined();
    expect(outcome.body ?? "").not.toContain("__typename");
  });

  it("runs a body just under the limit, with Content-Length or chunked", async () => {
    const declared = await postJson(server, paddedBody(2040));
    expect(declared.status).toBe(200);
    expect(declared.body).toEqual({ data: { __typename: "Query" } });

    const chunked = await postChunked(server, chunksOf(paddedBody(2040), 500));
    expect(chunked.status).toBe(200);
    expect(parse(chunked.body ?? "")).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

// ---------------------------------------------------------------------------------------------
// Execution timeout

describe("execution timeout (EXECUTION_TIMEOUT_MS=10)", () => {
  const server = startTestServer({ EXECUTION_TIMEOUT_MS: "10" });

  it("stops an operation that runs longer (a log-in hashes with scrypt) with TIMEOUT", async () => {
    const result = await postJson(server, {
      query: `mutation ($input: LogInInput!) { logIn(input: $input) { __typename } }`,
      variables: { input: { email: "nobody@example.test", password: "wrong password" } },
    });
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
    expect(result.body.errors?.[0]?.message).toMatch(/longer than 10 ms/);
    expect(result.status).toBe(503);
  });

  it("still runs a cheap operation", async () => {
    const body = await server.graphql("{ __typename }");
    expect(body).toEqual({ data: { __typename: "Query" } });
  });
});

// ---------------------------------------------------------------------------------------------
// Introspection and GraphiQL

const MISSPELLED = "{ prodcts(first: 1) { totalCount } }";

describe("introspection in production (default: off)", () => {
  const server = startTestServer({ NODE_ENV: "production", SECRET_KEY });

  it("refuses an introspection query", async () => {
    const body = await server.graphql(INTROSPECTION_QUERY);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it("does not serve GraphiQL", async () => {
    expect(await graphiql(server)).not.toMatch(/graphiql/i);
  });

  it("does not suggest field names in errors", async () => {
    const body = await server.graphql(MISSPELLED);
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "prodcts"/);
    expect(JSON.stringify(body)).not.toMatch(/Did you mean/);
    expect(JSON.stringify(body)).not.toContain('"products"');
  });

  // Bug: the suggestion filter only rewrites `Did you mean "x"?` in validation errors. graphql-js
  // words enum suggestions `Did you mean the enum value "X"?`, and errors about variables come
  // from execution, not validation, so both still spell out names of the schema.
  it("does not suggest enum values or input fields either, in the document or in variables", async () => {
    const answers = [
      await server.graphql("{ products(first: 1, filter: { status: [ACTIV] }) { totalCount } }"),
      await server.graphql(
        "query ($s: [ProductStatus!]) { products(first: 1, filter: { status: $s }) { totalCount } }",
        { s: ["ACTIV"] },
      ),
      await server.graphql("query ($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }", {
        f: { serch: "x" },
      }),
    ];
    for (const answer of answers) {
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.length).toBeGreaterThan(0);
    }
    expect(answers.map((answer) => answer.errors?.[0]?.message).join("\n")).not.toMatch(/Did you mean/);
  });

  it("still answers a normal request", async () => {
    await expectStillServing(server);
  });
});

describe("introspection in production with INTROSPECTION=true", () => {
  const server = startTestServer({ NODE_ENV: "production", SECRET_KEY, INTROSPECTION: "true" });

  it("serves GraphiQL", async () => {
    expect(await graphiql(server)).toMatch(/graphiql/i);
  });

  it("answers an introspection query", async () => {
    const body = await server.graphql<{ __schema: { types: { name: string }[] } }>(INTROSPECTION_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.types.map((type) => type.name)).toContain("Product");
  });
});

describe("introspection in development (default: on)", () => {
  const server = startTestServer({ NODE_ENV: "development" });

  it("answers an introspection query", async () => {
    const body = await server.graphql<{ __schema: { types: { name: string }[] } }>(INTROSPECTION_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.types.map((type) => type.name)).toContain("Product");
  });

  it("serves GraphiQL", async () => {
    expect(await graphiql(server)).toMatch(/graphiql/i);
  });

  it("serves GraphiQL's scripts and styles itself, so it works without internet access", async () => {
    const page = await graphiql(server);
    expect(page.length).toBeGreaterThan(100_000);
    const external = [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)=["']?(https?:[^"' >]+)/gi)]
      .map((match) => match[1])
      .filter((url) => !url?.endsWith(".ico"));
    expect(external).toEqual([]);
  });

  it("suggests field names (the production test above can tell them apart)", async () => {
    const body = await server.graphql(MISSPELLED);
    expect(body.errors?.[0]?.message).toMatch(/Did you mean "products?"/);
  });
});

// ---------------------------------------------------------------------------------------------
// CSRF

describe("CSRF prevention", () => {
  const server = startTestServer();

  it("refuses a GET without the x-graphql-yoga-csrf header with 403", async () => {
    const response = await server.fetch("/graphql?query=%7B__typename%7D");
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0].message).toMatch(/CSRF/);
  });

  it("runs a GET that carries the header", async () => {
    const response = await server.fetch("/graphql?query=%7B__typename%7D", {
      headers: { "x-graphql-yoga-csrf": "1" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });

  it.each([
    ["text/plain", JSON.stringify({ query: "{ __typename }" })],
    ["application/x-www-form-urlencoded", "query=%7B__typename%7D"],
  ])("refuses a POST of content-type %s (a form can send it cross-site)", async (contentType, body) => {
    const result = await postJson(server, body, { "content-type": contentType });
    expect(result.status).toBe(403);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.message).toMatch(/CSRF/);
  });

  it("runs a normal JSON POST", async () => {
    const result = await postJson(server, { query: "{ __typename }" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { __typename: "Query" } });
  });
});

// ---------------------------------------------------------------------------------------------
// CORS

function preflight(server: TestServer, origin: string) {
  return server.fetch("/graphql", {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, authorization",
    },
  });
}

describe("CORS with CORS_ORIGINS=https://shop.example", () => {
  const server = startTestServer({ CORS_ORIGINS: "https://shop.example" });

  it("allows the listed origin in a preflight", async () => {
    const response = await preflight(server, "https://shop.example");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example");
  });

  it("does not allow another origin", async () => {
    const response = await preflight(server, "https://evil.example");
    const allowed = response.headers.get("access-control-allow-origin");
    expect(allowed).not.toBe("https://evil.example");
    expect(allowed).not.toBe("*");
  });
});

describe("CORS with several origins", () => {
  const server = startTestServer({ CORS_ORIGINS: "https://shop.example, https://admin.example" });

  it("allows each listed origin and no other", async () => {
    for (const origin of ["https://shop.example", "https://admin.example"]) {
      const response = await preflight(server, origin);
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const evil = await preflight(server, "https://evil.example");
    expect([null, "null"]).toContain(evil.headers.get("access-control-allow-origin"));
  });
});

describe("CORS in production without CORS_ORIGINS", () => {
  const server = startTestServer({ NODE_ENV: "production", SECRET_KEY });

  it("allows no origin", async () => {
    for (const origin of ["https://shop.example", "https://evil.example"]) {
      const response = await preflight(server, origin);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      const post = await server.fetch("/graphql", {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(post.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Trusted documents

describe("trusted documents (TRUSTED_DOCUMENTS=<manifest>)", () => {
  const directory = mkdtempSync(join(tmpdir(), "trusted-documents-"));
  const manifest = join(directory, "manifest.json");
  writeFileSync(manifest, JSON.stringify({ q1: "query Count { products(first: 1) { totalCount } }" }));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const server = startTestServer({ TRUSTED_DOCUMENTS: manifest });

  it("runs a document of the manifest by its id", async () => {
    const result = await postJson(server, { documentId: "q1" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it("refuses an arbitrary query, even one the manifest holds", async () => {
    for (const query of ["{ __typename }", "query Count { products(first: 1) { totalCount } }"]) {
      const result = await postJson(server, { query });
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.[0]?.message).toMatch(/Persisted/);
    }
  });

  it("refuses an unknown document id", async () => {
    const result = await postJson(server, { documentId: "q2" });
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.message).toMatch(/PersistedQueryNotFound/);
  });

  it("labels metrics with operation names, which only the manifest can supply", async () => {
    await postJson(server, { documentId: "q1" });
    const text = await (await server.fetch("/metrics")).text();
    expect(text).toMatch(/^graphql_envelop_request\{[^}]*operationName="Count"[^}]*\} [1-9]/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Metrics

describe("metrics (default: on)", () => {
  const server = startTestServer();

  it("serves Prometheus text with request metrics and errors counted by code", async () => {
    const failed = await server.graphql(
      `mutation { createProduct(input: { name: "X", sku: "X-1", price: "1.00", currency: "EUR" }) {
        __typename } }`,
    );
    expect(failed.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const response = await server.fetch("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^graphql_envelop_request\{[^}]*operationType="mutation"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^graphql_yoga_http_duration_count\{/m);
    expect(text).toMatch(/^graphql_errors_total\{code="UNAUTHENTICATED"\} 1$/m);
  });

  // Bug: Yoga's HTTP histogram (graphql_yoga_http_duration) labels each series with the full
  // request URL. Whatever a client puts in a GET query string (a password in a refused GET
  // mutation, variables, any junk parameter) is published on the unauthenticated /metrics, and
  // each distinct URL adds series that are never dropped (unbounded memory).
  it("keeps client-chosen URLs out of the metrics", async () => {
    const csrf = { "x-graphql-yoga-csrf": "1" };
    const mutation =
      'mutation { logIn(input: { email: "a@b.test", password: "hunter2-secret" }) { __typename } }';
    const refused = await server.fetch(`/graphql?query=${encodeURIComponent(mutation)}`, { headers: csrf });
    expect(refused.status).toBe(405);
    const junk = randomUUID();
    const answered = await server.fetch(
      `/graphql?query=${encodeURIComponent("{ __typename }")}&junk=${junk}`,
      {
        headers: csrf,
      },
    );
    expect(answered.status).toBe(200);

    const text = await (await server.fetch("/metrics")).text();
    expect(text).toMatch(/^graphql_yoga_http_duration_count\{/m);
    expect(text).not.toContain("hunter2-secret");
    expect(text).not.toContain(junk);
  });
});

describe("metrics under a client choosing names (no trusted documents)", () => {
  const server = startTestServer();

  it("keep the same series however many operation names and aliases clients invent", async () => {
    const seriesAfter = async (names: number) => {
      for (let i = 0; i < names; i++) {
        const name = `Op${randomUUID().replaceAll("-", "")}`;
        const body = await server.graphql(`query ${name} { ${name}: product(id: "bad") { id } }`);
        expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      }
      const text = await (await server.fetch("/metrics")).text();
      expect(text).not.toMatch(/Op[0-9a-f]{32}/);
      return text.split("\n").filter((line) => line.startsWith("graphql_")).length;
    };
    const before = await seriesAfter(3);
    expect(await seriesAfter(30)).toBe(before);
  });
});

describe("metrics with METRICS=false", () => {
  const server = startTestServer({ METRICS: "false" });

  it("does not serve /metrics", async () => {
    await server.graphql(CHEAP_QUERY);
    const response = await server.fetch("/metrics");
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toMatch(/graphql_/);
  });
});
