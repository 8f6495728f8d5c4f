import {
  ABSURD_NUMBERS,
  ABSURD_PRICES,
  ADJUST_STOCK,
  type Add,
  CREATE_PRODUCT,
  JSON_TYPE,
  json,
  MAX_BODY_BYTES,
  PRODUCTS,
  post,
  type Random,
  UPDATE_PRODUCT,
  VALID,
} from "./hostile-requests.ts";

// The requests of the hostile-input sweep, part three: GET requests with garbage query strings,
// odd paths and methods, bad Authorization headers, mutations and credentials with absurd inputs,
// and bytes on a socket that are not even HTTP.

export function addHostileInputs(random: Random, add: Add): void {
  const someQuery = () =>
    random.pick([PRODUCTS, "{ __typename }", "query Q { me { email } }", CREATE_PRODUCT, ADJUST_STOCK]);

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
}
