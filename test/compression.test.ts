import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { createProduct } from "./helpers/fixtures.ts";
import { CHEAP_QUERY, getRaw } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

// Compression of what the server sends, by the client's Accept-Encoding: large answers are
// compressed, small ones are not worth it, and event streams never are, so they keep streaming.
// (GraphiQL's page: graphiql.test.ts.)

const server = startTestServer();
const LARGE_QUERY = "{ products(first: 100) { edges { node { id sku name description createdAt } } } }";

// Enough products for an answer well over the 1 KB threshold.
beforeAll(async () => {
  const admin = server.as("ADMIN");
  for (let i = 0; i < 20; i++) {
    await createProduct(admin, {
      sku: `ZIP-${i}`,
      name: `Zipped ${i}`,
      description: "x".repeat(100),
      price: "1.00",
      currency: "EUR",
      stock: 1,
      status: "ACTIVE",
    });
  }
});

describe("JSON answers", () => {
  it("compresses a large answer with gzip when the client accepts it", async () => {
    const path = `/graphql?query=${encodeURIComponent(LARGE_QUERY)}`;
    const plain = await getRaw(server, path);
    const zipped = await getRaw(server, path, { "accept-encoding": "gzip" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1_024);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect(JSON.parse(gunzipSync(zipped.body).toString("utf8")).data.products.edges).toHaveLength(20);
  });

  it("sends a small answer as it is", async () => {
    const small = await getRaw(server, `/graphql?query=${encodeURIComponent(CHEAP_QUERY)}`, {
      "accept-encoding": "gzip, br",
    });
    expect(small.status).toBe(200);
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(small.body.toString("utf8")).data.products.totalCount).toEqual(expect.any(Number));
  });
});

describe("event streams", () => {
  /**
   * Opens a subscription stream with Accept-Encoding: gzip, br and resolves with its headers and
   * first bytes (Yoga's keep-alive comment, sent at once). A compressed stream would hold those
   * bytes in the compressor's buffer, and this would never resolve.
   */
  function firstBytes(path: string, init: { method: string; body?: string }) {
    const url = new URL(server.url);
    return new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const request = httpRequest({
        host: url.hostname,
        port: url.port,
        path,
        method: init.method,
        agent: false,
        headers: {
          accept: "text/event-stream",
          "accept-encoding": "gzip, br",
          "content-type": "application/json",
        },
      });
      request.on("response", (response) => {
        response.once("data", (chunk: Buffer) => {
          resolve({ headers: response.headers, text: chunk.toString("utf8") });
          request.destroy();
        });
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(init.body);
    });
  }

  const subscription = "subscription { productChanged { __typename } }";

  it("does not compress a subscription over SSE on /graphql", async () => {
    const { headers, text } = await firstBytes(`/graphql?query=${encodeURIComponent(subscription)}`, {
      method: "GET",
    });
    expect(headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(headers["content-encoding"]).not.toMatch(/gzip|br|deflate/);
    expect(text).toMatch(/^:/);
  });

  it("does not compress a subscription over graphql-sse on /graphql/stream", async () => {
    const { headers, text } = await firstBytes("/graphql/stream", {
      method: "POST",
      body: JSON.stringify({ query: subscription }),
    });
    expect(headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(headers["content-encoding"]).not.toMatch(/gzip|br|deflate/);
    expect(text).toMatch(/^:/);
  });
});
