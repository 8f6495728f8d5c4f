import { describe, expect, it } from "vitest";
import { postJson } from "./helpers/requests.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

// Requests from other origins: CSRF prevention, and the CORS answers for listed origins and others.

const SECRET_KEY = "a-test-secret-key-that-is-long-enough-1234";

describe("CSRF prevention", () => {
  const server = startTestServer();
  const formPost = (body: string, headers: Record<string, string> = {}) =>
    server.fetch("/graphql", {
      method: "POST",
      // What a form on another site sends: no custom header, a "simple" content type.
      headers: {
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body,
    });

  it("runs a plain GET query without any extra header, as curl sends it", async () => {
    const response = await server.fetch(
      `/graphql?query=${encodeURIComponent("{ products { totalCount } }")}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it("runs a GET query a browser sends cross-site (the answer is unreadable there without CORS)", async () => {
    const response = await server.fetch("/graphql?query=%7B__typename%7D", {
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("never runs a mutation over GET, header or not", async () => {
    const mutation = `mutation { logOut(input: { refreshToken: "x" }) }`;
    for (const headers of [{}, { "x-graphql-yoga-csrf": "1" }] as Record<string, string>[]) {
      const response = await server.fetch(`/graphql?query=${encodeURIComponent(mutation)}`, { headers });
      expect(response.status).toBe(405);
      const body = await response.json();
      expect(body.data ?? null).toBeNull();
    }
  });

  it("refuses a cross-site form post of a sign-up with 403, and creates no account", async () => {
    const email = "csrf-victim@example.test";
    const signUp = `mutation { signUp(input: { email: "${email}", name: "Victim", password: "correct horse battery staple" }) { __typename } }`;
    const response = await formPost(`query=${encodeURIComponent(signUp)}`);
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0].message).toMatch(/CSRF/);
    expect(await server.app.prisma.user.count({ where: { email } })).toBe(0);
  });

  it.each([
    ["text/plain", JSON.stringify({ query: "{ __typename }" })],
    ["application/x-www-form-urlencoded", "query=%7B__typename%7D"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--\r\n',
    ],
  ])("refuses a POST of content-type %s (a form can send it cross-site)", async (contentType, body) => {
    const result = await postJson(server, body, { "content-type": contentType });
    expect(result.status).toBe(403);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.message).toMatch(/CSRF/);
  });

  it("runs a normal JSON POST (a browser preflights it)", async () => {
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
