import { type Add, json, MAX_BODY_BYTES, PRODUCTS, post, type Random, VALID } from "./hostile-requests.ts";

// The requests of the hostile-input sweep, part two: GraphQL documents and variables that are too
// deep or too wide, wrongly typed, too long, ambiguous about their operation or badly encoded.

export function addHostileDocuments(random: Random, add: Add): void {
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
}
