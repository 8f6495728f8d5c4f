import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CHEAP_QUERY } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

// /metrics: Prometheus text, with series whose number clients cannot grow, and none with METRICS=false;
// in production off the public port unless a bearer token guards it.

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

  // Was a bug: errors were counted before Yoga's masking gave the input errors Pothos checks itself
  // (a malformed global id, `before` with `after`) their BAD_USER_INPUT, so each of these client
  // mistakes was counted as INTERNAL_SERVER_ERROR, a server fault.
  it("counts every error under the code the client receives", async () => {
    const mistakes = [
      '{ node(id: "not-a-global-id") { id } }',
      '{ products(first: 1, before: "x", after: "y") { totalCount } }',
      "{ products(first: -1) { totalCount } }",
    ];
    for (const query of mistakes) {
      const body = await server.graphql(query);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
    const text = await (await server.fetch("/metrics")).text();
    expect(text).toMatch(/^graphql_errors_total\{code="BAD_USER_INPUT"\} 3$/m);
    expect(text).not.toMatch(/^graphql_errors_total\{code="INTERNAL_SERVER_ERROR"\}/m);
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

// Where /metrics is served: never on the public port in production unless a token guards it.
const PRODUCTION = { NODE_ENV: "production", SECRET_KEY: "metrics-test-secret-key-0123456789-abcdef" };
const METRICS_TOKEN = "metrics-test-token-0123456789";

describe("metrics in production, by default", () => {
  const server = startTestServer(PRODUCTION);

  it("are not served on the public port", async () => {
    await server.graphql(CHEAP_QUERY);
    expect(server.metricsUrl).toBeNull();
    const response = await server.fetch("/metrics");
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/graphql_/);
  });
});

describe("metrics with METRICS_PORT (production)", () => {
  const server = startTestServer({ ...PRODUCTION, METRICS_PORT: "0" });

  it("are served on their own port, and only there", async () => {
    await server.graphql(CHEAP_QUERY);
    const metricsUrl = server.metricsUrl as string;
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    const scrape = await fetch(metricsUrl);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^graphql_envelop_request\{[^}]*operationType="query"[^}]*\} [1-9]/m);

    const publicly = await server.fetch("/metrics");
    expect(publicly.status).toBe(404);
    expect(await publicly.text()).not.toMatch(/graphql_/);
    // The metrics' port serves nothing else.
    const graphqlThere = await fetch(new URL("/graphql", metricsUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: CHEAP_QUERY }),
    });
    expect(graphqlThere.status).toBe(404);
  });
});

describe("metrics with METRICS_TOKEN (production)", () => {
  const server = startTestServer({ ...PRODUCTION, METRICS_TOKEN });

  it("are served on the public port to a scrape with the bearer token only", async () => {
    await server.graphql(CHEAP_QUERY);
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", METRICS_TOKEN]) {
      const refused = await server.fetch("/metrics", authorization ? { headers: { authorization } } : {});
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await refused.text()).not.toMatch(/graphql_/);
    }
    const scrape = await server.fetch("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^graphql_envelop_request\{/m);
  });
});

describe("metrics with METRICS_PORT and METRICS_TOKEN", () => {
  const server = startTestServer({ METRICS_PORT: "0", METRICS_TOKEN });

  it("ask the token on their own port too", async () => {
    const metricsUrl = server.metricsUrl as string;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const scrape = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect((await server.fetch("/metrics")).status).toBe(404);
  });
});
