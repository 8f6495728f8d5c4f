import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditResult, serverAudits } from "graphql-http";
import { afterAll, describe, expect, it } from "vitest";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

// The GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/draft/) as
// graphql-http's server audits check it, one test per audit, plus direct tests of what the audits
// check thinly or not at all. The README's "GraphQL over HTTP" section says the same in prose.

const GRAPHQL_RESPONSE = "application/graphql-response+json";
const JSON_TYPE = "application/json";

/**
 * An audit the server fails on purpose: why, and exactly how it fails (graphql-http's reason and
 * the HTTP status), so that a change in either shows up here instead of passing unnoticed.
 */
type KnownFailure = { why: string; reason: string; status: number };

function explain(result: AuditResult): string {
  return result.status === "ok"
    ? "ok"
    : `${result.status}: ${result.reason} (HTTP ${result.response.status})`;
}

/** One test per audit of graphql-http's list: each passes, or fails exactly as `knownFailures` says. */
function auditsOf(server: TestServer, knownFailures: Record<string, KnownFailure>) {
  const audits = serverAudits({ url: () => `${server.url}/graphql` });

  it("lists as known failures only audits that exist", () => {
    const ids = new Set(audits.map((audit) => audit.id));
    expect(Object.keys(knownFailures).filter((id) => !ids.has(id))).toEqual([]);
  });

  for (const audit of audits) {
    const known = knownFailures[audit.id];
    const title = known
      ? `${audit.name} (${audit.id}): known failure, ${known.why}`
      : `${audit.name} (${audit.id})`;
    it(title, async () => {
      const result = await audit.fn();
      if (!known) {
        expect(explain(result)).toBe("ok");
        return;
      }
      expect(result.status).not.toBe("ok");
      if (result.status === "ok") return;
      expect({ reason: result.reason, status: result.response.status }).toEqual({
        reason: known.reason,
        status: known.status,
      });
    });
  }
}

describe("the graphql-http server audits, against a server as tests run it (introspection on)", () => {
  const server = startTestServer();
  // None: every MUST, SHOULD and MAY passes.
  auditsOf(server, {});
});

describe("the graphql-http server audits, against a production server", () => {
  const production = startTestServer({
    NODE_ENV: "production",
    SECRET_KEY: "graphql-over-http-test-secret-key-0123456789",
  });
  // These four audits send `query Type($name: String!) { __type(name: $name) { name } }`: an
  // introspection query, which production refuses on purpose (INTROSPECTION defaults to false
  // there) as a validation error. What they test, a map of variables, is tested below with a
  // document production runs.
  const introspectionOff = "its document asks for __type and production turns introspection off";
  auditsOf(production, {
    "2EA1": { why: introspectionOff, reason: "Response status code is not 200", status: 400 },
    "28B9": {
      why: introspectionOff,
      reason: 'Response body execution result has a property "errors"',
      status: 200,
    },
    D6D5: { why: introspectionOff, reason: "Response status code is not 200", status: 400 },
    "6A70": {
      why: introspectionOff,
      reason: 'Response body execution result has a property "errors"',
      status: 200,
    },
  });

  it("refuses the audits' introspection document as a validation error, 400 under graphql-response+json", async () => {
    const response = await production.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, accept: GRAPHQL_RESPONSE },
      body: JSON.stringify({
        query: "query Type($name: String!) { __type(name: $name) { name } }",
        variables: { name: "Product" },
      }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/introspection has been disabled/);
  });

  it("takes a map of variables over POST and over GET, under either media type", async () => {
    const query = "query Count($first: Int) { products(first: $first) { totalCount } }";
    const variables = JSON.stringify({ first: 1 });
    for (const accept of [GRAPHQL_RESPONSE, JSON_TYPE]) {
      const posted = await production.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, accept },
        body: JSON.stringify({ query, variables: { first: 1 } }),
      });
      const got = await production.fetch(
        `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}`,
        { headers: { accept } },
      );
      for (const response of [posted, got]) {
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe(`${accept}; charset=utf-8`);
        expect(await response.json()).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
      }
    }
  });
});

describe("over GET, queries only", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  const countProducts = async () => {
    const body = await staff.graphql("{ products { totalCount } }");
    return body.data?.products.totalCount as number;
  };
  const create = (sku: string) =>
    `mutation { createProduct(input: { sku: "${sku}", name: "Over GET", price: "1.00", currency: "EUR" }) { __typename } }`;

  it("refuses a mutation over GET with 405 and Allow: POST, and writes nothing", async () => {
    const { accessToken } = await staff.session();
    const before = await countProducts();
    for (const accept of [GRAPHQL_RESPONSE, JSON_TYPE]) {
      const response = await server.fetch(
        `/graphql?query=${encodeURIComponent(create(`GET-${randomUUID()}`))}`,
        {
          headers: { accept, authorization: `Bearer ${accessToken}` },
        },
      );
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      const body = await response.json();
      expect(body.data).toBeUndefined();
      expect(body.errors[0].message).toBe("Can only perform a mutation operation from a POST request.");
    }
    expect(await countProducts()).toBe(before);
  });

  it("runs the same mutation over POST, so the refusal above is about the method", async () => {
    const before = await countProducts();
    const body = await staff.graphql(create(`POST-${randomUUID()}`));
    expect(body).toEqual({ data: { createProduct: { __typename: "CreateProductPayload" } } });
    expect(await countProducts()).toBe(before + 1);
  });
});

describe("an answer with data is a 200, whatever its field errors", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  const customer = server.as("CUSTOMER");
  // costPrice is refused to anonymous callers (UNAUTHENTICATED, whose error asks for 401) and to
  // customers (FORBIDDEN); the rest of the page is theirs to read.
  const page = "{ products(first: 5) { edges { node { name costPrice { amount } } } } }";
  const post = (accept: string, headers: Record<string, string> = {}) =>
    server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, accept, ...headers },
      body: JSON.stringify({ query: page }),
    });

  it("answers a page with a refused field 200, under either media type, with the refusal in it", async () => {
    await createProduct(staff, { name: "Partly visible", status: "ACTIVE" });
    const { accessToken } = await customer.session();
    for (const [who, headers, code] of [
      ["anonymous", {}, "UNAUTHENTICATED"],
      ["customer", { authorization: `Bearer ${accessToken}` }, "FORBIDDEN"],
    ] as const) {
      for (const accept of [GRAPHQL_RESPONSE, JSON_TYPE]) {
        const response = await post(accept, headers);
        const body = await response.json();
        expect(response.status, `${who}, ${accept}`).toBe(200);
        expect(body.data.products.edges).toContainEqual({
          node: { name: "Partly visible", costPrice: null },
        });
        expect(body.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toContain(
          code,
        );
      }
    }
  });

  it("keeps 401 for an operation refused as a whole, which has no data", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, accept: GRAPHQL_RESPONSE },
      body: JSON.stringify({ query: "{ users(first: 1) { totalCount } }" }),
    });
    const body = await response.json();
    expect(response.status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });
});

describe("the response's media type follows the request's Accept header", () => {
  const server = startTestServer();
  const query = encodeURIComponent("{ __typename }");

  it.each([
    [GRAPHQL_RESPONSE, GRAPHQL_RESPONSE],
    [JSON_TYPE, JSON_TYPE],
    // The Accept header the spec recommends to clients.
    [`${GRAPHQL_RESPONSE}, ${JSON_TYPE};q=0.9`, GRAPHQL_RESPONSE],
    ["*/*", JSON_TYPE],
    // Where several media types are acceptable, Yoga answers with the first it can serve, whatever
    // their q-values say.
    ["application/*", JSON_TYPE],
    [`${JSON_TYPE};q=0.5, ${GRAPHQL_RESPONSE}`, JSON_TYPE],
    [null, JSON_TYPE],
  ])("Accept: %s is answered with %s, over POST and over GET", async (accept, expected) => {
    const headers: Record<string, string> = accept ? { accept } : {};
    const posted = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, ...headers },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const got = await server.fetch(`/graphql?query=${query}`, { headers });
    for (const response of [posted, got]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(`${expected}; charset=utf-8`);
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
    }
  });

  it("answers 406 to an Accept header it can satisfy with no media type", async () => {
    for (const accept of ["application/xml", "text/csv", "application/json; charset=latin1"]) {
      const response = await server.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, accept },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(response.status, accept).toBe(406);
    }
  });

  it("answers 415 to a body of a media type it does not take", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/xml", accept: GRAPHQL_RESPONSE },
      body: "<query>{ __typename }</query>",
    });
    expect(response.status).toBe(415);
    expect((await response.json()).errors[0].extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("request parameters of the wrong shape get 400 and a message that names the parameter", () => {
  const server = startTestServer();

  it.each([
    ["variables", "a string", '"{}"', "string"],
    ["variables", "an array", "[1]", "array"],
    ["variables", "a number", "1", "number"],
    ["extensions", "a string", '"x"', "string"],
    ["extensions", "an array", "[]", "array"],
  ])("%s given as %s", async (parameter, _label, json, type) => {
    const message = `Expected "${parameter}" param to be empty or an object, but given ${type}.`;
    for (const accept of [GRAPHQL_RESPONSE, JSON_TYPE]) {
      const posted = await server.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, accept },
        body: `{"query": "{ __typename }", "${parameter}": ${json}}`,
      });
      const got = await server.fetch(
        `/graphql?query=%7B__typename%7D&${parameter}=${encodeURIComponent(json)}`,
        {
          headers: { accept },
        },
      );
      for (const response of [posted, got]) {
        expect(response.status).toBe(400);
        expect(response.headers.get("content-type")).toBe(`${accept}; charset=utf-8`);
        const body = await response.json();
        expect(body.data).toBeUndefined();
        expect(body.errors[0].message).toBe(message);
      }
    }
  });

  it("variables over GET that are not JSON", async () => {
    const response = await server.fetch("/graphql?query=%7B__typename%7D&variables=%7Bnope", {
      headers: { accept: GRAPHQL_RESPONSE },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].message).toMatch(/^The request is not valid JSON/);
  });
});

describe("an operation refused by the operation limits is a request error", () => {
  const server = startTestServer();
  const post = (query: string, accept: string) =>
    server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, accept },
      body: JSON.stringify({ query }),
    });
  const limits = () => server.app.config.limits;
  const nested = (depth: number): string => (depth === 0 ? "name" : `parent { ${nested(depth - 1)} }`);

  it.each([
    ["depth", () => `{ category(id: "x") { ${nested(limits().maxDepth)} } }`, /depth limit/],
    [
      "aliases",
      () =>
        `{ ${Array.from({ length: limits().maxAliases + 1 }, (_, n) => `a${n}: products(first: 1) { totalCount }`).join(" ")} }`,
      /Aliases limit/,
    ],
    ["tokens", () => `{ ${"__typename ".repeat(limits().maxTokens)} }`, /Token limit/],
    [
      "directives",
      () => `{ __typename ${"@skip(if: false) ".repeat(limits().maxDirectives + 1)} }`,
      /Directives limit/,
    ],
  ])(
    "over the %s limit: 400 under graphql-response+json, 200 under application/json, never data",
    async (_limit, query, message) => {
      const strict = await post(query(), GRAPHQL_RESPONSE);
      expect(strict.status).toBe(400);
      const strictBody = await strict.json();
      expect(strictBody.data).toBeUndefined();
      expect(strictBody.errors[0].message).toMatch(message);

      const legacy = await post(query(), JSON_TYPE);
      expect(legacy.status).toBe(200);
      const legacyBody = await legacy.json();
      expect(legacyBody.data).toBeUndefined();
      expect(legacyBody.errors[0].message).toMatch(message);
    },
  );
});

describe("an operation over the cost limit is a request error", () => {
  // A limit low enough that an ordinary query breaks it, so no other limit is broken first.
  const server = startTestServer({ MAX_COST: "10" });
  const query = "{ products(first: 5) { edges { node { name sku stock price { amount currency } } } } }";

  it("400 under graphql-response+json, 200 under application/json, never data", async () => {
    for (const [accept, status] of [
      [GRAPHQL_RESPONSE, 400],
      [JSON_TYPE, 200],
    ] as const) {
      const response = await server.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, accept },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(status);
      const body = await response.json();
      expect(body.data).toBeUndefined();
      expect(body.errors[0].message).toMatch(/Query Cost limit of 10 exceeded/);
    }
  });
});

describe("an operation refused in trusted-documents mode is a request error", () => {
  const directory = mkdtempSync(join(tmpdir(), "graphql-over-http-"));
  const manifest = join(directory, "manifest.json");
  writeFileSync(manifest, JSON.stringify({ count: "query Count { products(first: 1) { totalCount } }" }));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const server = startTestServer({ TRUSTED_DOCUMENTS: manifest });
  const post = (body: unknown, accept: string) =>
    server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": JSON_TYPE, accept },
      body: JSON.stringify(body),
    });

  it.each([
    ["an arbitrary query", { query: "{ __typename }" }, "PersistedQueryOnly"],
    ["an unknown document id", { documentId: "nope" }, "PersistedQueryNotFound"],
    ["no query and no document id", {}, "PersistedQueryKeyNotFound"],
  ])("%s: 400 under graphql-response+json, 200 under application/json", async (_case, body, message) => {
    const strict = await post(body, GRAPHQL_RESPONSE);
    expect(strict.status).toBe(400);
    expect(await strict.json()).toMatchObject({ errors: [{ message }] });
    const legacy = await post(body, JSON_TYPE);
    expect(legacy.status).toBe(200);
    expect(await legacy.json()).toMatchObject({ errors: [{ message }] });
  });

  it("runs a document of the manifest under graphql-response+json", async () => {
    const response = await post({ documentId: "count" }, GRAPHQL_RESPONSE);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(await response.json()).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });
});
