import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { getRaw } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

// GraphiQL's page as the server sends it: the configuration it renders, and its size on the wire.
// (What a browser does with the page is for a browser test.)

const server = startTestServer();
const BROWSER = { accept: "text/html" };

/** The options the page hands to GraphiQL, as rendered into its script. */
function renderedOptions(html: string): Record<string, unknown> {
  const match = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);/.exec(
    html,
  );
  if (!match?.[1]) throw new Error("GraphiQL's options are not in the page");
  return JSON.parse(match[1]);
}

describe("GraphiQL's page", () => {
  // Without a defaultQuery, GraphiQL opens on its welcome text ("Product catalog is an in-browser
  // tool for ..."), which is still in the page's script.
  it("preloads a catalog query that runs", async () => {
    const page = await getRaw(server, "/graphql", BROWSER);
    const { defaultQuery, title } = renderedOptions(page.body.toString("utf8"));
    expect(title).toBe("Product catalog");
    expect(defaultQuery).toMatch(/^query Catalog \{/m);
    const body = await server.graphql(String(defaultQuery));
    expect(body.errors).toBeUndefined();
    expect(body.data?.products.totalCount).toEqual(expect.any(Number));
    expect(body.data?.categories.edges).toEqual(expect.any(Array));
  });

  it("leaves headers out of the browser's storage unless the user opts in", async () => {
    const page = await getRaw(server, "/graphql", BROWSER);
    // Yoga's GraphiQL passes true (headers saved) unless told otherwise; null is GraphiQL's own
    // rule: not saved, and the "Persist headers" setting is offered. false would hide the setting.
    expect(renderedOptions(page.body.toString("utf8"))).toHaveProperty("shouldPersistHeaders", null);
  });

  it("is sent uncompressed to a client that accepts no encoding", async () => {
    const page = await getRaw(server, "/graphql", BROWSER);
    expect(page.status).toBe(200);
    expect(page.headers["content-encoding"]).toBeUndefined();
    expect(page.body.toString("utf8")).toContain("renderYogaGraphiQL");
  });

  it.each([
    ["br", "br", brotliDecompressSync],
    ["gzip", "gzip", gunzipSync],
    ["gzip, deflate, br, zstd", "br", brotliDecompressSync],
    ["br;q=0.5, gzip", "gzip", gunzipSync],
  ])(
    "is compressed for Accept-Encoding: %s (%s), to under a third of its size",
    async (accepted, encoding, decompress) => {
      const plain = await getRaw(server, "/graphql", BROWSER);
      const compressed = await getRaw(server, "/graphql", { ...BROWSER, "accept-encoding": accepted });
      expect(compressed.status).toBe(200);
      expect(compressed.headers["content-encoding"]).toBe(encoding);
      expect(compressed.headers.vary).toMatch(/accept-encoding/i);
      expect(compressed.body.length).toBeLessThan(plain.body.length / 3);
      expect(decompress(compressed.body).equals(plain.body)).toBe(true);
    },
  );
});
