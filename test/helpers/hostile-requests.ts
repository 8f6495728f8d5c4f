// The requests of the hostile-input sweep, part one: the primitives every part uses, and request
// bodies that are not the JSON a GraphQL server expects (broken, of the wrong shape or type,
// empty, or too large). Every request is derived from a seeded PRNG, so every run sends the same.

export const MAX_BODY_BYTES = 100_000; // MAX_BODY_BYTES default

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a small seeded PRNG, so every run sends exactly the same requests. */
export function prng(seed: number) {
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

export type Hostile = {
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

export type Outcome = { status: number; body: string } | { error: string };

export const JSON_TYPE = { "content-type": "application/json" };

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function post(
  kind: string,
  body: Buffer | string,
  headers: Record<string, string | string[]> = JSON_TYPE,
) {
  return { kind, method: "POST", path: "/graphql", headers, body: Buffer.from(body) } satisfies Hostile;
}

export const PRODUCTS = "{ products(first: 1) { totalCount } }";
export const VALID = json({ query: PRODUCTS });

export const CREATE_PRODUCT = `mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) {
    __typename
    ... on Error { message code }
    ... on CreateProductPayload { product { id sku stock price { amount currency } } }
  }
}`;
export const ADJUST_STOCK = `mutation Adjust($input: AdjustStockInput!) {
  adjustStock(input: $input) { __typename ... on Error { message code } ... on AdjustStockPayload { product { stock } } }
}`;
export const UPDATE_PRODUCT = `mutation Update($input: UpdateProductInput!) {
  updateProduct(input: $input) { __typename ... on Error { message code } }
}`;

/** Absurd numbers and strings, as JSON values (NaN and Infinity cannot be JSON numbers). */
export const ABSURD_NUMBERS: unknown[] = [
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
export const ABSURD_PRICES: unknown[] = [
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

export type Random = ReturnType<typeof prng>;
export type Add = (request: Hostile) => void;

export function addMalformedBodies(random: Random, add: Add): void {
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
}
