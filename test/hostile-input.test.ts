import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./helpers/server.ts";

// A deterministic sweep of malformed and hostile requests against a real server. Whatever comes
// in, the server must answer (a reset is allowed only for a deliberately oversized body), never
// with a 500, never with an internal detail, and must keep serving ordinary queries throughout.

// The server the sweep targets (NODE_ENV=test: an unexpected error shows its cause, so every one
// is caught by the leak check), and a production one, which must mask everything.
const server = startTestServer();
const production = startTestServer({
  NODE_ENV: "production",
  SECRET_KEY: "hostile-input-test-secret-key-0123456789",
});
type Server = typeof server;

// Products to look at: some faults (a LIKE pattern SQLite refuses, say) only show on a table with
// rows, since SQLite never evaluates a condition on an empty one.
beforeAll(async () => {
  for (const target of [server, production]) {
    const admin = target.as("ADMIN");
    for (let i = 0; i < 5; i++) {
      const input = {
        sku: `SWEEP-${i}`,
        name: `Sweep ${i}`,
        description: "50% off_now",
        price: "9.99",
        currency: "EUR",
        status: "ACTIVE",
        stock: 3,
      };
      const body = await admin.graphql(CREATE_PRODUCT, { input });
      expect(body.data?.createProduct.__typename).toBe("CreateProductPayload");
    }
  }
});

const MAX_BODY_BYTES = 100_000; // MAX_BODY_BYTES default
const CONCURRENCY = 16;
const BATCH = 100;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a small seeded PRNG, so every run sends exactly the same requests. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const bytes = (length: number) => Buffer.from(Array.from({ length }, () => int(0, 255)));
  const word = (length: number) =>
    Array.from({ length }, () =>
      pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".split("")),
    ).join("");
  return { next, int, pick, bytes, word };
}

// ---------------------------------------------------------------------------------------------
// Requests

type Hostile = {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Sent without Content-Length, as a chunked stream. */
  chunked?: boolean;
  /** Deliberately over MAX_BODY_BYTES: the server may cut the connection instead of answering. */
  oversized?: boolean;
  /** Sent with the admin's valid access token (mutations with absurd inputs). */
  asAdmin?: boolean;
  /** Raw bytes on a TCP socket, not through an HTTP client: not even valid HTTP. */
  raw?: boolean;
};

type Outcome = { status: number; body: string } | { error: string };

const JSON_TYPE = { "content-type": "application/json" };

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function post(kind: string, body: Buffer | string, headers: Record<string, string | string[]> = JSON_TYPE) {
  return { kind, method: "POST", path: "/graphql", headers, body: Buffer.from(body) } satisfies Hostile;
}

const PRODUCTS = "{ products(first: 1) { totalCount } }";
const VALID = json({ query: PRODUCTS });

const CREATE_PRODUCT = `mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) {
    __typename
    ... on Error { message code }
    ... on CreateProductPayload { product { id sku stock price { amount currency } } }
  }
}`;
const ADJUST_STOCK = `mutation Adjust($input: AdjustStockInput!) {
  adjustStock(input: $input) { __typename ... on Error { message code } ... on AdjustStockPayload { product { stock } } }
}`;
const UPDATE_PRODUCT = `mutation Update($input: UpdateProductInput!) {
  updateProduct(input: $input) { __typename ... on Error { message code } }
}`;

/** Absurd numbers and strings, as JSON values (NaN and Infinity cannot be JSON numbers). */
const ABSURD_NUMBERS: unknown[] = [
  -1,
  -0,
  0.5,
  -2147483649,
  2147483648,
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x10",
  "",
  " ",
  null,
  true,
  [],
  {},
  [1, 2],
  { value: 1 },
];
const ABSURD_PRICES: unknown[] = [
  "-1",
  "-0.01",
  "NaN",
  "Infinity",
  "1e309",
  "1e-309",
  "0x1F",
  "1.234567891234",
  "99999999999999999999999999999999999999",
  "12,50",
  "12.50.1",
  "١٢",
  "",
  " ",
  "--1",
  "1_000",
  12.5,
  -1,
  1e308,
  null,
  [],
  {},
];

function generate(): Hostile[] {
  const random = prng(0x5eed_2024);
  const requests: Hostile[] = [];
  const add = (request: Hostile) => requests.push(request);
  const someQuery = () =>
    random.pick([PRODUCTS, "{ __typename }", "query Q { me { email } }", CREATE_PRODUCT, ADJUST_STOCK]);

  // Broken JSON: truncated bodies, random bytes, valid JSON of the wrong shape.
  const sample = JSON.stringify({
    query: "query Q($first: Int) { products(first: $first) { totalCount } }",
    variables: { first: 3 },
    operationName: "Q",
  });
  for (let i = 0; i < 60; i++) add(post("truncated JSON", sample.slice(0, random.int(0, sample.length - 1))));
  for (let i = 0; i < 60; i++) add(post("random bytes", random.bytes(random.int(1, 2_000))));
  for (const body of [
    "[]",
    "[{}]",
    `[${sample},${sample}]`,
    "42",
    '"query"',
    "null",
    "true",
    "{}",
    '{"query": null}',
    '{"query": 42}',
    '{"query": ["{ __typename }"]}',
    '{"query": {"kind": "Document"}}',
    '{"query": "{ __typename }", "variables": "x"}',
    '{"query": "{ __typename }", "variables": [1, 2]}',
    '{"query": "{ __typename }", "variables": 7}',
    '{"query": "{ __typename }", "extensions": "x"}',
    '{"query": "{ __typename }", "extensions": {"persistedQuery": {"sha256Hash": 1}}}',
    '{"query": "{ __typename }", "operationName": 42}',
    '{"query": "{ __typename }", "operationName": {}}',
    '{"query": "{ __typename }"} trailing',
    '{"query": "{ __typename }",}',
    "{'query': '{ __typename }'}",
    '{"query": "{ __typename }", "query": "{ products { totalCount } }"}',
    '{"__proto__": {"query": "{ __typename }"}}',
    '{"constructor": {"prototype": {"polluted": true}}, "query": "{ __typename }"}',
    `{"query": "{ __typename }", "variables": ${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
    `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    `{"a":${'{"a":'.repeat(10_000)}1${"}".repeat(10_001)}`,
  ]) {
    add(post("wrong JSON shape", body));
  }

  // Wrong, missing and odd content types, with a valid body.
  for (const type of [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=----x",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/graphql+json",
    "application/json; charset=utf-16",
    "application/json; charset=latin1",
    "application/json; boundary=;;;",
    "application/octet-stream",
    "image/png",
    "*/*",
    "",
    "application/json, text/plain",
    ";;;",
    "a".repeat(4_000),
  ]) {
    add(post("content type", VALID, type === "" ? {} : { "content-type": type }));
    add(post("content type", PRODUCTS, type === "" ? {} : { "content-type": type }));
  }
  for (const accept of [
    "application/graphql-response+json",
    "text/event-stream",
    "multipart/mixed",
    "text/html",
    "image/png",
    "application/xml",
    "*/*;q=0",
    "a".repeat(4_000),
  ]) {
    add(post("accept", VALID, { ...JSON_TYPE, accept }));
  }
  // Multipart uploads the schema does not accept.
  const boundary = "----hostileboundary";
  add(
    post(
      "multipart",
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${sample}\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.file"]}\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.txt"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      { "content-type": `multipart/form-data; boundary=${boundary}`, "x-graphql-yoga-csrf": "1" },
    ),
  );
  add(
    post("multipart", `--${boundary}\r\nbroken`, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
    }),
  );

  // Empty bodies.
  for (const headers of [
    JSON_TYPE,
    {},
    { "content-type": "text/plain" },
    { "content-type": "application/graphql" },
  ]) {
    for (let i = 0; i < 4; i++) add(post("empty body", "", headers));
  }

  // Queries over the token limit (MAX_TOKENS 2000) but under the size limit.
  for (let i = 0; i < 25; i++) {
    const count = random.int(1_001, 20_000);
    const selection = random.pick(["__typename", "products(first: 1) { totalCount }", "a", "{"]);
    const query = `{ ${Array.from({ length: Math.ceil(count / 5) }, () => selection).join(" ")} }`;
    add(post("token limit", json({ query: query.slice(0, MAX_BODY_BYTES - 100) })));
  }
  // Bodies over MAX_BODY_BYTES, declared and streamed.
  for (let i = 0; i < 15; i++) {
    const size = random.int(MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES);
    const body = json({ query: `{ ${"__typename ".repeat(Math.ceil(size / 11))} }` });
    add({ ...post("oversized", body), oversized: true });
    add({ ...post("oversized chunked", body), oversized: true, chunked: true });
  }

  // Deeply nested queries, lists and input objects.
  for (let i = 0; i < 30; i++) {
    const depth = random.int(13, 400);
    const open = "products(first: 1) { edges { node { category { ";
    const close = "} } } } ";
    const levels = Math.ceil(depth / 4);
    add(post("deep query", json({ query: `{ ${open.repeat(levels)}name ${close.repeat(levels)}}` })));
  }
  for (let i = 0; i < 20; i++) {
    const depth = random.int(50, 30_000);
    const pattern = random.pick(["{", "[", "(", "{ a "]);
    add(post("deep brackets", json({ query: `{ products(filter: ${pattern.repeat(depth)}) }` })));
  }
  for (let i = 0; i < 15; i++) {
    const depth = random.int(20, 5_000);
    // Written out by hand: JSON.stringify itself would overflow the stack.
    let opening = "";
    let closing = "";
    for (let level = 0; level < depth; level++) {
      const list = random.next() < 0.5;
      opening += list ? "[" : '{"search":';
      closing = (list ? "]" : "}") + closing;
    }
    const query = JSON.stringify(
      "query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount } }",
    );
    add(post("deep variables", `{"query":${query},"variables":{"filter":${opening}"x"${closing}}}`));
  }
  for (let i = 0; i < 10; i++) {
    const depth = random.int(20, 3_000);
    add(
      post(
        "deep fragments",
        json({
          query: `${Array.from({ length: depth }, (_, n) => `fragment F${n} on Query { ...F${n + 1} }`).join(" ")} fragment F${depth} on Query { __typename } { ...F0 }`,
        }),
      ),
    );
  }
  add(
    post(
      "fragment cycle",
      json({ query: "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }" }),
    ),
  );

  // Many aliases (MAX_ALIASES 15) and many directives (MAX_DIRECTIVES 20).
  for (let i = 0; i < 30; i++) {
    const count = random.int(16, 1_500);
    const field = random.pick([
      "products(first: 100) { totalCount }",
      "__typename",
      "me { email }",
      "categories { totalCount }",
    ]);
    const query = `{ ${Array.from({ length: count }, (_, n) => `a${n}: ${field}`).join(" ")} }`;
    add(post("aliases", json({ query })));
  }
  for (let i = 0; i < 10; i++) {
    const count = random.int(21, 2_000);
    add(post("directives", json({ query: `{ __typename ${"@include(if: true) ".repeat(count)}}` })));
  }
  add(
    post(
      "cost",
      json({
        query: `{ products(first: 100) { edges { node { category { products(first: 100) { edges { node { name } } } } } } } }`,
      }),
    ),
  );

  // Wrong variable types.
  const typed: [string, string][] = [
    ["query ($first: Int) { products(first: $first) { totalCount } }", "first"],
    ["query ($id: ID!) { product(id: $id) { name } }", "id"],
    ["query ($sku: String!) { productBySku(sku: $sku) { name } }", "sku"],
    ["query ($after: String) { products(first: 1, after: $after) { totalCount } }", "after"],
    ["query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount } }", "filter"],
    ["query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", "ids"],
    ["query ($order: ProductOrder) { products(first: 1, orderBy: $order) { totalCount } }", "order"],
  ];
  const wrongValues: unknown[] = [
    "ten",
    "",
    "1",
    { id: 1 },
    { $gt: "" },
    [1, 2, 3],
    [[["x"]]],
    1.5,
    -1,
    2 ** 31,
    1e21,
    true,
    null,
    Array.from({ length: 1_000 }, (_, n) => n),
    { filter: { price: { min: "abc" } } },
    { search: 5, status: ["NOPE"], price: { min: {}, max: [] } },
    { field: "DROP TABLE", direction: "SIDEWAYS" },
    "UHJvZHVjdDox' OR 1=1 --",
    "Product:1",
    "Q2F0ZWdvcnk6MQ==",
    "UHJvZHVjdDotMQ==",
    "UHJvZHVjdDo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==",
    "UHJvZHVjdDpOYU4=",
    "%%%",
    // Cursors in Pothos's format holding what no list here uses, and a price past 64 bits.
    Buffer.from("GPC:S:abc").toString("base64"),
    Buffer.from('GPC:J:{"id":1}').toString("base64"),
    { price: { min: "9".repeat(30), max: `-${"9".repeat(30)}` } },
  ];
  for (const [query, name] of typed) {
    for (const value of wrongValues)
      add(post("variable type", json({ query, variables: { [name]: value } })));
  }
  for (const [query] of typed) {
    add(post("missing variable", json({ query, variables: {} })));
    add(post("extra variable", json({ query, variables: JSON.parse('{"nope": 1, "__proto__": {"x": 1}}') })));
  }

  // Long lists of valid values: each must be answered or refused, never run into a database limit.
  for (const count of [500, 1_000, 4_000]) {
    const ids = Array.from({ length: count }, (_, n) => Buffer.from(`Product:${n + 1}`).toString("base64"));
    add(
      post(
        "long list",
        json({ query: "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids } }),
      ),
    );
    add(
      post(
        "long list",
        json({
          query: "query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount } }",
          variables: { filter: { status: Array.from({ length: count }, () => "ACTIVE") } },
        }),
      ),
    );
    add(
      post(
        "long string",
        json({
          query: "query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount } }",
          variables: { filter: { search: random.word(count * 20) } },
        }),
      ),
    );
  }

  // Operation names: unknown, pointing at nothing, or missing when several operations are sent.
  const twoOperations = "query A { __typename } query B { products(first: 1) { totalCount } }";
  for (let i = 0; i < 20; i++) {
    add(post("unknown operation", json({ query: PRODUCTS, operationName: random.word(random.int(1, 40)) })));
    add(
      post(
        "missing operation",
        json({ query: twoOperations, operationName: random.pick(["C", "a", "", " A"]) }),
      ),
    );
  }
  add(post("several operations", json({ query: twoOperations })));
  add(
    post(
      "several operations",
      json({ query: `${twoOperations} mutation C { logOut(input: { refreshToken: "x" }) }` }),
    ),
  );
  add(
    post(
      "duplicate operations",
      json({ query: "query A { __typename } query A { __typename }", operationName: "A" }),
    ),
  );
  add(post("anonymous and named", json({ query: "{ __typename } query A { __typename }" })));
  add(post("subscription", json({ query: "subscription S { products }" })));
  add(post("only fragments", json({ query: "fragment F on Query { __typename }" })));

  // Invalid UTF-8 and NUL bytes, in the body and in strings.
  const invalidSequences = [
    [0xc3, 0x28],
    [0xa0, 0xa1],
    [0xe2, 0x28, 0xa1],
    [0xf0, 0x28, 0x8c, 0xbc],
    [0xf8, 0xa1, 0xa1, 0xa1, 0xa1],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xff],
    [0xfe, 0xff],
    [0xef, 0xbb, 0xbf],
  ];
  for (const sequence of invalidSequences) {
    const bytes = Buffer.from(sequence);
    const before = Buffer.from('{"query": "{ productBySku(sku: \\"');
    const after = Buffer.from('\\") { name } }"}');
    add(post("invalid UTF-8", Buffer.concat([before, bytes, after])));
    add(post("invalid UTF-8", Buffer.concat([bytes, VALID])));
    add(
      post(
        "invalid UTF-8",
        Buffer.concat([
          Buffer.from(
            `{"query": ${JSON.stringify("query ($s: String!) { productBySku(sku: $s) { name } }")}, "variables": {"s": "`,
          ),
          bytes,
          Buffer.from('"}}'),
        ]),
      ),
    );
  }
  for (const text of [
    "\u0000",
    "{ __typename }\u0000",
    "\u0000{ __typename }",
    "{ product\u0000s(first: 1) { totalCount } }",
    '{ productBySku(sku: "\u0000") { name } }',
    "\ud800",
    "\udfff\ud800",
    "{ __typename } # \u0000 comment",
  ]) {
    add(post("NUL and surrogates", json({ query: text })));
    add(
      post(
        "NUL and surrogates",
        json({ query: "query ($s: String!) { productBySku(sku: $s) { name } }", variables: { s: text } }),
      ),
    );
  }
  add(post("NUL body", Buffer.alloc(1_000)));
  add(post("NUL key", json({ "query\u0000": PRODUCTS })));

  // Very long strings in variables, under the size limit.
  for (let i = 0; i < 20; i++) {
    const length = random.int(10_000, MAX_BODY_BYTES - 500);
    const text = random.pick(["x", "é", "\u0000", "%", "'", "\\"]).repeat(length / 2);
    const [query, name] = random.pick([
      ["query ($s: String!) { productBySku(sku: $s) { name } }", "s"],
      ["query ($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }", "f"],
      ["query ($a: String) { products(first: 1, after: $a) { totalCount } }", "a"],
      ["query ($id: ID!) { product(id: $id) { name } }", "id"],
      ["query ($slug: String!) { categoryBySlug(slug: $slug) { name } }", "slug"],
    ] as const);
    const value = name === "f" ? { search: text } : text;
    const body = json({ query, variables: { [name]: value } });
    if (body.length < MAX_BODY_BYTES) add(post("long variable", body));
  }

  // GET with garbage query strings (with and without the CSRF header), and odd paths.
  const garbage = () =>
    Array.from({ length: random.int(1, 300) }, () =>
      random.pick([
        ..."abcxyz{}()[]:$!@#&=+,;'\"<>|^`~%",
        "%00",
        "%ZZ",
        "%FF",
        "%C3%28",
        "%E2%82",
        "\u00e9",
        "&&",
        "==",
      ]),
    ).join("");
  for (let i = 0; i < 60; i++) {
    const csrf: Record<string, string> = random.next() < 0.5 ? { "x-graphql-yoga-csrf": "1" } : {};
    const search = random.pick([
      () => `?query=${garbage()}`,
      () => `?${garbage()}`,
      () => `?query=${encodeURIComponent(someQuery())}&variables=${garbage()}`,
      () => `?query=${encodeURIComponent(someQuery())}&operationName=${garbage()}`,
      () => `?query=${encodeURIComponent(someQuery())}&extensions=${garbage()}`,
      () => `?query=${encodeURIComponent(CREATE_PRODUCT)}&variables=${encodeURIComponent('{"input": {}}')}`,
      () => `?query=${encodeURIComponent(PRODUCTS)}&query=${garbage()}`,
      () => `?query[]=1&query[x]=2&variables[a]=b`,
    ])();
    add({
      kind: "GET garbage",
      method: "GET",
      path: `/graphql${search}`,
      headers: { ...csrf, accept: "application/json" },
    });
  }
  for (const path of [
    "/",
    "/graphql/",
    "/GRAPHQL",
    "/graphql/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/graphql%00",
    "/.env",
    "/node_modules/.bin/prisma",
    "/healthz?x=%ZZ",
    "/readyz?%00",
    "//graphql",
    `/${"a".repeat(8_000)}`,
    "/graphql?query=%7B__typename%7D#fragment",
  ]) {
    add({ kind: "odd path", method: "GET", path, headers: { "x-graphql-yoga-csrf": "1" } });
  }

  // Methods GraphQL does not use, with and without a body.
  for (const method of [
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "HEAD",
    "TRACE",
    "PROPFIND",
    "FOO",
    "MKCOL",
    "PURGE",
  ]) {
    add({ kind: "method", method, path: "/graphql", headers: JSON_TYPE, body: VALID });
    add({ kind: "method", method, path: "/graphql", headers: {} });
    add({ kind: "method", method, path: "/", headers: JSON_TYPE, body: VALID });
  }
  add({
    kind: "method",
    method: "OPTIONS",
    path: "/graphql",
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });

  // Bad Authorization headers.
  const jwtPart = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const authorizations = [
    "",
    "Bearer",
    "Bearer ",
    "bearer x",
    "Basic YWRtaW46YWRtaW4=",
    "Bearer a.b.c",
    "Bearer ....",
    "Bearer x y z",
    `Bearer ${jwtPart({ alg: "none", typ: "JWT" })}.${jwtPart({ sub: "1", role: "ADMIN" })}.`,
    `Bearer ${jwtPart({ alg: "HS256", typ: "JWT" })}.${jwtPart({ sub: "1", exp: 9999999999 })}.c2lnbmF0dXJl`,
    `Bearer ${jwtPart({ alg: "RS256" })}.${jwtPart({ sub: "-1" })}.AAAA`,
    `Bearer ${jwtPart({ alg: "HS256" })}.${"A".repeat(6_000)}.AAAA`,
    `Bearer ${"x".repeat(8_000)}`,
    "Digest username=admin",
    "Bearer\tabc",
    "Bearer %00",
    "Bearer ' OR 1=1 --",
  ];
  for (const authorization of authorizations) {
    add(post("authorization", VALID, { ...JSON_TYPE, authorization }));
    add(
      post("authorization", json({ query: CREATE_PRODUCT, variables: { input: {} } }), {
        ...JSON_TYPE,
        authorization,
      }),
    );
  }
  add(post("authorization", VALID, { ...JSON_TYPE, authorization: ["Bearer a", "Bearer b"] }));

  // Mutations with absurd inputs, as an admin (so the resolvers and validation run).
  for (let i = 0; i < 80; i++) {
    const input: Record<string, unknown> = {
      sku: random.pick([
        "ABS-1",
        "",
        " ",
        "-",
        "a",
        "x".repeat(65),
        "SKU WITH SPACE",
        "ÄÖÜ",
        "SKU\u0000",
        random.word(12),
      ]),
      name: random.pick(["Absurd", "", " ", "n".repeat(201), "\u0000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]),
      price: random.pick(ABSURD_PRICES),
      currency: random.pick(["EUR", "", "XXX", "eur", "EURO", "€", "JPY", 1, null]),
      stock: random.pick(ABSURD_NUMBERS),
      status: random.pick(["ACTIVE", "BOGUS", "", 1, null]),
    };
    if (random.next() < 0.3) input.costPrice = random.pick(ABSURD_PRICES);
    if (random.next() < 0.3)
      input.categoryId = random.pick(["", "x", "Q2F0ZWdvcnk6MA==", "UHJvZHVjdDox", 1, {}]);
    if (random.next() < 0.2) input.description = "d".repeat(random.int(10_001, 60_000));
    add({
      ...post("absurd createProduct", json({ query: CREATE_PRODUCT, variables: { input } })),
      asAdmin: true,
    });
  }
  for (let i = 0; i < 40; i++) {
    const input = {
      productId: random.pick(["UHJvZHVjdDox", "UHJvZHVjdDotMQ==", "", "x", "Q2F0ZWdvcnk6MQ==", 1, null]),
      delta: random.pick(ABSURD_NUMBERS),
    };
    add({
      ...post("absurd adjustStock", json({ query: ADJUST_STOCK, variables: { input } })),
      asAdmin: true,
    });
  }
  for (let i = 0; i < 30; i++) {
    const input = {
      id: random.pick(["UHJvZHVjdDox", "UHJvZHVjdDo5OTk5OTk5OTk5OTk5OTk5OTk5OQ==", "", 1]),
      price: random.pick(ABSURD_PRICES),
      stock: random.pick(ABSURD_NUMBERS),
      currency: random.pick(["JPY", "BHD", "", "XXX", null]),
      categoryId: random.pick([null, "", "x", "Q2F0ZWdvcnk6OTk5OTk5OTk5OTk5OTk5OTk5OTk5"]),
    };
    add({
      ...post("absurd updateProduct", json({ query: UPDATE_PRODUCT, variables: { input } })),
      asAdmin: true,
    });
  }
  for (let i = 0; i < 10; i++) {
    const text = "s".repeat(MAX_BODY_BYTES + random.int(1, 50_000));
    add({
      ...post(
        "absurd 100 KB strings",
        json({
          query: CREATE_PRODUCT,
          variables: { input: { sku: "BIG-1", name: text, price: "1", currency: "EUR" } },
        }),
      ),
      asAdmin: true,
      oversized: true,
    });
  }
  for (let i = 0; i < 20; i++) {
    const text = "w".repeat(random.int(90_000, MAX_BODY_BYTES - 1_000));
    const field = random.pick(["sku", "name", "description", "currency", "price"]);
    const body = json({
      query: CREATE_PRODUCT,
      variables: { input: { sku: "LONG-1", name: "Long", price: "1", currency: "EUR", [field]: text } },
    });
    if (body.length < MAX_BODY_BYTES) add({ ...post("absurd long string", body), asAdmin: true });
  }
  // Log-in and sign-up with absurd credentials.
  for (let i = 0; i < 20; i++) {
    const password = random.pick([
      "",
      "x",
      "p".repeat(1_025),
      "p".repeat(50_000),
      "\u0000".repeat(20),
      "ﬃ".repeat(600),
    ]);
    const email = random.pick([
      "",
      "a",
      "@",
      `${"a".repeat(300)}@example.test`,
      "a@b",
      "admin@example.test\u0000",
      "ADMIN@EXAMPLE.TEST",
    ]);
    const mutation = random.pick(["logIn", "signUp"]);
    const query =
      mutation === "logIn"
        ? "mutation ($input: LogInInput!) { logIn(input: $input) { __typename } }"
        : "mutation ($input: SignUpInput!) { signUp(input: $input) { __typename } }";
    const input =
      mutation === "logIn"
        ? { email, password }
        : { email, password, name: random.pick(["", "n", "n".repeat(300)]) };
    add(post("absurd credentials", json({ query, variables: { input } })));
  }

  // Not even HTTP: raw bytes on a socket.
  for (const raw of [
    "GARBAGE\r\n\r\n",
    "GET / HTTP/9.9\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    `GET /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    "GET /graphql HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    "GET /graph\u0000ql HTTP/1.1\r\nHost: x\r\n\r\n",
    "\u0000\u0001\u0002\u0003\r\n\r\n",
  ]) {
    add({ kind: "raw", method: "RAW", path: "", headers: {}, body: Buffer.from(raw, "latin1"), raw: true });
  }

  return requests;
}

// ---------------------------------------------------------------------------------------------
// Sending

function send(target: Server, request: Hostile, token: string): Promise<Outcome> {
  if (request.raw) return sendRaw(target, request.body ?? Buffer.alloc(0));
  const url = new URL(target.url);
  return new Promise((resolve) => {
    const headers: Record<string, string | string[] | number> = { ...request.headers };
    if (request.asAdmin) headers.authorization = `Bearer ${token}`;
    if (request.body && !request.chunked) headers["content-length"] = request.body.length;
    const outgoing = httpRequest({
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.path,
      headers,
      agent: false,
      timeout: 20_000,
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error("client timeout: no answer")));
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    if (request.body && request.chunked) {
      // Several chunks, so the server sees a stream growing past the limit.
      for (let offset = 0; offset < request.body.length; offset += 16_384) {
        outgoing.write(request.body.subarray(offset, offset + 16_384));
      }
      outgoing.end();
    } else {
      outgoing.end(request.body);
    }
  });
}

function sendRaw(target: Server, bytes: Buffer): Promise<Outcome> {
  const url = new URL(target.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error("client timeout: no answer")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (chunks.length === 0) resolve({ error: error.code ?? error.message });
    });
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(
        status
          ? { status: Number(status[1]), body: text }
          : { error: `no HTTP answer: ${JSON.stringify(text)}` },
      );
    });
    // Half-close after writing: the server answers what it got and closes.
    socket.end(bytes);
  });
}

async function inBatches<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// Internal details that must never reach a client.
const LEAKS = ["stack", "node_modules", "/work", "prisma", "sqlite", "at async"];

/** What is wrong with one answer, or null. A leak the request itself contains is only an echo. */
function problem(request: Hostile, outcome: Outcome): string | null {
  if ("error" in outcome) {
    return request.oversized && ["ECONNRESET", "EPIPE"].includes(outcome.error)
      ? null
      : `no answer (${outcome.error})`;
  }
  if (outcome.status === 500) return "HTTP 500";
  const sent = `${request.body?.toString("latin1") ?? ""} ${request.path}`.toLowerCase();
  const body = outcome.body.toLowerCase();
  for (const leak of LEAKS) {
    if (body.includes(leak) && !sent.includes(leak)) return `body contains "${leak}"`;
  }
  // Hostile input is the client's fault: it must never end in an unexpected (internal) error.
  if (outcome.body.includes("INTERNAL_SERVER_ERROR")) return "internal error";
  return null;
}

type Sweep = {
  sent: number;
  problems: string[];
  statuses: Map<string, number>;
};

async function sweep(target: Server, token: string): Promise<Sweep> {
  const result: Sweep = { sent: 0, problems: [], statuses: new Map() };
  for (let start = 0; start < requests.length; start += BATCH) {
    const batch = requests.slice(start, start + BATCH);
    const outcomes = await inBatches(batch, CONCURRENCY, (request) => send(target, request, token));
    result.sent += batch.length;
    batch.forEach((request, offset) => {
      const index = start + offset;
      const outcome = outcomes[offset] as Outcome;
      const key = `${request.kind} → ${"error" in outcome ? outcome.error : outcome.status}`;
      result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
      const found = problem(request, outcome);
      if (!found) return;
      const body = "error" in outcome ? "" : outcome.body;
      result.problems.push(
        `#${index} ${request.kind} ${request.method} ${request.path.slice(0, 80)}: ${found} ${body.slice(0, 300)}`,
      );
    });
    await expectStillServing(target, result.sent);
  }
  await expectStillServing(target, result.sent);
  return result;
}

async function expectStillServing(target: Server, afterRequests: number) {
  const body = await target.graphql<{ products: { totalCount: number } }>(PRODUCTS);
  expect(
    body.errors,
    `after ${afterRequests} hostile requests: ${JSON.stringify(body.errors)}`,
  ).toBeUndefined();
  expect(typeof body.data?.products.totalCount).toBe("number");
}

const requests = generate();

// ---------------------------------------------------------------------------------------------
// Tests

describe("a sweep of malformed and hostile requests", () => {
  it("is the same every run, and large", () => {
    expect(requests.length).toBeGreaterThanOrEqual(1_000);
    const fingerprint = (list: Hostile[]) =>
      list.map((request) => `${request.method} ${request.path} ${request.body?.toString("base64")}`);
    expect(fingerprint(generate())).toEqual(fingerprint(requests));
    expect(requests.filter((request) => request.oversized).length).toBeGreaterThanOrEqual(30);
  });

  it("gets an answer to every request, never a 500 or an internal detail, and ordinary queries keep working", async () => {
    const { accessToken } = await server.as("ADMIN").session();
    const result = await sweep(server, accessToken);
    expect(result.problems).toEqual([]);
    expect(result.sent).toBe(requests.length);
    expect(result.sent).toBeGreaterThanOrEqual(1_000);
    // Every kind of request was answered at least once (not all of them cut or refused).
    const answered = new Set(
      [...result.statuses.keys()].filter((key) => /→ \d{3}$/.test(key)).map((key) => key.split(" → ")[0]),
    );
    const kinds = new Set(requests.map((request) => request.kind));
    expect([...kinds].filter((kind) => !answered.has(kind))).toEqual([]);
  }, 120_000);

  it("in production too, with every unexpected error masked", async () => {
    const { accessToken } = await production.as("ADMIN").session();
    const result = await sweep(production, accessToken);
    expect(result.problems).toEqual([]);
    expect(result.sent).toBeGreaterThanOrEqual(1_000);
  }, 120_000);
});

describe("cases the sweep once found failing (production server)", () => {
  async function post(body: unknown) {
    const response = await production.fetch("/graphql", {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  const codes = (body: any): unknown[] => (body.errors ?? []).map((error: any) => error.extensions?.code);
  const globalId = (text: string) => Buffer.from(text).toString("base64");

  // Was a bug: graphql-armor's token limit (2,000) counts tokens while graphql-js parses recursively;
  // a list nested ~2,000+ deep ("[[[[…", 2.5 KB) overflows the stack first: RangeError, HTTP 500.
  it("refuses a list nested 2,500 deep with a GraphQL error, not a 500", async () => {
    const { status, body } = await post({ query: `{ products(filter: ${"[".repeat(2_500)}) }` });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
    expect(status).toBeLessThan(500);
  });

  // Was a bug: a string variable holding a lone surrogate ("\ud800" in the JSON body) reaches Prisma,
  // whose query serialisation fails ("JSON Error: unexpected end of hex escape"): internal error.
  it("answers productBySku with a lone surrogate without an internal error", async () => {
    const { body } = await post({
      query: "query ($sku: String!) { productBySku(sku: $sku) { name } }",
      variables: { sku: "\ud800" },
    });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
  });

  // Was a bug: Category's node loader uses findUniqueOrThrow, so node(id:) for a category that does
  // not exist (or no longer does) is an internal error instead of null; nodes(ids:) loses all.
  it("answers node(id:) for a category that does not exist with null", async () => {
    const { body } = await post({
      query: "query ($id: ID!) { node(id: $id) { id } }",
      variables: { id: globalId("Category:987654") },
    });
    expect(body).toEqual({ data: { node: null } });
  });

  // Was a bug: node(id:) hands Number("NaN") or 1e23 from a decoded Product id straight to Prisma,
  // which refuses the query: internal error (product(id:) validates the same id properly).
  it("answers node(id:) for a Product id that is not an integer without an internal error", async () => {
    const { body } = await post({
      query: "query ($id: ID!) { node(id: $id) { id } }",
      variables: { id: globalId("Product:NaN") },
    });
    expect(codes(body)).not.toContain("INTERNAL_SERVER_ERROR");
  });

  // Was a bug: Yoga's GET parser throws a SyntaxError on a variables (or extensions) parameter that is
  // not JSON, and it is answered as an unexpected error, HTTP 500, instead of a 400.
  it("refuses GET variables that are not JSON with a 400", async () => {
    const response = await production.fetch("/graphql?query=%7B__typename%7D&variables=not-json", {
      headers: { "x-graphql-yoga-csrf": "1", accept: "application/json" },
    });
    expect(response.status).toBe(400);
  });
});
