import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postJson } from "./helpers/requests.ts";
import { startTestServer } from "./helpers/server.ts";

// With TRUSTED_DOCUMENTS, the server runs only the documents of its manifest, by id.

describe("trusted documents (TRUSTED_DOCUMENTS=<manifest>)", () => {
  const directory = mkdtempSync(join(tmpdir(), "trusted-documents-"));
  const manifest = join(directory, "manifest.json");
  writeFileSync(manifest, JSON.stringify({ q1: "query Count { products(first: 1) { totalCount } }" }));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const server = startTestServer({ TRUSTED_DOCUMENTS: manifest });

  it("runs a document of the manifest by its id", async () => {
    const result = await postJson(server, { documentId: "q1" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it("refuses an arbitrary query, even one the manifest holds", async () => {
    for (const query of ["{ __typename }", "query Count { products(first: 1) { totalCount } }"]) {
      const result = await postJson(server, { query });
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.[0]?.message).toMatch(/Persisted/);
    }
  });

  it("refuses an unknown document id", async () => {
    const result = await postJson(server, { documentId: "q2" });
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.message).toMatch(/PersistedQueryNotFound/);
  });

  it("labels metrics with operation names, which only the manifest can supply", async () => {
    await postJson(server, { documentId: "q1" });
    const text = await (await server.fetch("/metrics")).text();
    expect(text).toMatch(/^graphql_envelop_request\{[^}]*operationName="Count"[^}]*\} [1-9]/m);
  });
});
