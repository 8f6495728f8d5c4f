import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createProduct } from "./helpers/fixtures.ts";
import { codes, query, rest } from "./helpers/rest.ts";
import { startTestServer, TEST_PASSWORD } from "./helpers/server.ts";

// REST goes through the same door as GraphQL: the Bearer token, the rule tree, the rate limits,
// and input checks that answer 4xx, never 500.

const server = startTestServer();
const staff = server.as("STAFF");
const newProduct = { input: { sku: "REST-AUTH", name: "Nope", price: "1.00", currency: "EUR" } };

describe("who may call what", () => {
  it("answers an anonymous POST /api/products with 401 and WWW-Authenticate, and writes nothing", async () => {
    const answer = await rest(server, "POST", "/api/products", { body: newProduct });
    expect(answer.status).toBe(401);
    expect(codes(answer)).toEqual(["UNAUTHENTICATED"]);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const lookup = await staff.graphql(`{ productBySku(sku: "REST-AUTH") { id } }`);
    expect(lookup.data?.productBySku).toBeNull();
  });

  it("answers a CUSTOMER's POST /api/products with 403", async () => {
    const answer = await rest(server, "POST", "/api/products", {
      body: newProduct,
      as: server.as("CUSTOMER"),
    });
    expect(answer.status).toBe(403);
    expect(codes(answer)).toEqual(["FORBIDDEN"]);
  });

  it("answers a STAFF member's DELETE (admins only) with 403, and the product stays", async () => {
    const id = await createProduct(staff, { status: "ACTIVE" });
    expect((await rest(server, "DELETE", `/api/products/${id}`, { as: staff })).status).toBe(403);
    expect((await rest(server, "GET", `/api/products/${id}`)).status).toBe(200);
  });

  it("refuses a request with a bad Bearer token with 401 rather than running it as anonymous", async () => {
    const answer = await rest(server, "GET", "/api/products", {
      headers: { authorization: "Bearer not-a-token" },
    });
    expect(answer.status).toBe(401);
    expect(codes(answer)).toEqual(["UNAUTHENTICATED"]);
  });

  it("logs in over REST; the access token it answers works as a Bearer token", async () => {
    const { email } = await staff.session();
    const loggedIn = await rest(server, "POST", "/api/auth/log-in", {
      body: { input: { email, password: TEST_PASSWORD } },
    });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.user.role).toBe("STAFF");
    const created = await rest(server, "POST", "/api/products", {
      headers: { authorization: `Bearer ${loggedIn.body.accessToken}` },
      body: {
        input: { sku: `REST-${randomUUID().slice(0, 8)}`, name: "Mine", price: "1.00", currency: "EUR" },
      },
    });
    expect(created.status).toBe(201);

    const refreshed = await rest(server, "POST", "/api/auth/refresh", {
      body: { input: { refreshToken: loggedIn.body.refreshToken } },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).toEqual(expect.any(String));
    const loggedOut = await rest(server, "POST", "/api/auth/log-out", {
      body: { input: { refreshToken: refreshed.body.refreshToken } },
    });
    expect(loggedOut).toMatchObject({ status: 200, body: true });
    const reused = await rest(server, "POST", "/api/auth/refresh", {
      body: { input: { refreshToken: refreshed.body.refreshToken } },
    });
    expect(reused.status).toBe(401);
  });

  it("answers a wrong password with 401 and no token", async () => {
    const { email } = await staff.session();
    const answer = await rest(server, "POST", "/api/auth/log-in", {
      body: { input: { email, password: "not the password" } },
    });
    expect(answer.status).toBe(401);
    expect(codes(answer)).toEqual(["UNAUTHENTICATED"]);
    expect(JSON.stringify(answer.body)).not.toContain("accessToken");
  });
});

describe("bad input answers 400 with a message, never 500", () => {
  const cases: [string, string, string, unknown?][] = [
    ["a body that is not JSON", "POST", "/api/products", "{ not json"],
    ["a body that is JSON null", "POST", "/api/products", "null"],
    [
      "a body that is a JSON array",
      "PATCH",
      `/api/products/${Buffer.from("Product:1").toString("base64")}`,
      "[]",
    ],
    ["a body without input", "POST", "/api/products", {}],
    ["an input of the wrong shape", "POST", "/api/products", { input: { sku: 5 } }],
    ["an id that is not an id", "GET", "/api/products/not-an-id", undefined],
    [
      "an id of another type",
      "GET",
      `/api/products/${Buffer.from("Category:1").toString("base64")}`,
      undefined,
    ],
    ["a page size that is not a number", "GET", `/api/products${query({ first: "ten" })}`, undefined],
    ["a negative page size", "GET", `/api/products${query({ first: -1 })}`, undefined],
    ["a filter that is not JSON", "GET", "/api/products?filter=%7Bsearch", undefined],
    [
      "a filter field of the wrong type",
      "GET",
      `/api/products${query({ filter: { inStock: "yes" } })}`,
      undefined,
    ],
    [
      "a Boolean parameter that is neither true nor false",
      "GET",
      "/api/categories?topLevelOnly=yes",
      undefined,
    ],
    ["an unknown orderBy field", "GET", `/api/products${query({ orderBy: { field: "COLOR" } })}`, undefined],
  ];
  it.each(cases)("%s", async (_name, method, path, body) => {
    const answer = await rest(server, method, path, { body, as: staff });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(codes(answer)).toContain("BAD_USER_INPUT");
    // A message about the request, not about the server's code.
    expect(answer.body.errors[0].message).toEqual(expect.any(String));
    expect(answer.body.errors[0].message).not.toMatch(/Cannot read properties|is not a function|TypeError/);
  });

  it("answers a path no route serves with 404, and a method a path does not take with 405 and Allow", async () => {
    const unknown = await rest(server, "GET", "/api/nothing-here");
    expect(unknown.status).toBe(404);
    const wrongMethod = await rest(server, "PUT", "/api/products");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST");
  });
});

describe("what SOFA would generate but is not served", () => {
  it.each([
    ["GET", "/api/users"],
    ["GET", "/api/me"],
    ["GET", "/api/nodes"],
    ["POST", "/api/set-user-role"],
    ["POST", "/api/change-password"],
    ["POST", "/api/sign-up"],
    ["POST", "/api/create-product"],
  ])("%s %s answers 404", async (method, path) => {
    const body = method === "POST" ? {} : undefined;
    // As staff: anonymous, some would fail anyway (GET /api/me is null for nobody).
    expect((await rest(server, method, path, { body, as: staff })).status).toBe(404);
  });

  it("does not start subscription webhooks, which would make the server POST to any URL", async () => {
    const answer = await rest(server, "POST", "/api/webhook", {
      body: { subscription: "productChanged", url: "http://127.0.0.1:9/" },
    });
    expect(answer.status).toBe(404);
  });
});

describe("rate limits over REST (RATE_LIMIT_REQUESTS=3)", () => {
  const limited = startTestServer({ RATE_LIMIT_REQUESTS: "3", RATE_LIMIT_WINDOW_SECONDS: "60" });

  it("answers 3 requests and refuses the 4th with 429, Retry-After and RATE_LIMITED", async () => {
    for (let i = 0; i < 3; i++) expect((await rest(limited, "GET", "/api/products")).status).toBe(200);
    const refused = await rest(limited, "GET", "/api/products");
    expect(refused.status).toBe(429);
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.headers.get("retry-after")).toBe("60");
    // GraphQL shares the allowance: REST spent it.
    expect((await limited.fetch("/graphql?query=%7B__typename%7D")).status).toBe(429);
  });
});

describe("mutation rate limits over REST (RATE_LIMIT_MUTATIONS=1)", () => {
  const limited = startTestServer({ RATE_LIMIT_MUTATIONS: "1" });

  it("counts a REST mutation as a mutation", async () => {
    const body = { input: { email: "nobody@example.test", password: "wrong password" } };
    expect((await rest(limited, "POST", "/api/auth/log-in", { body })).status).toBe(401);
    expect((await rest(limited, "POST", "/api/auth/log-in", { body })).status).toBe(429);
  });
});
