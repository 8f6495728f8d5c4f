import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { Client, fetchExchange } from "@urql/core";
import ts from "typescript";
import { beforeAll, describe, expect, inject, it } from "vitest";
import codegenConfig from "../examples/client/codegen.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer, TEST_PASSWORD } from "./helpers/server.ts";
import { until, untilListening } from "./helpers/subscriptions.ts";

// examples/client as a client team uses it: GraphQL Code Generator (client preset) run on the
// committed schema.graphql and the example's operations, into a fresh folder; tsc over the
// generated code and the example's typed client program; then that program, with the real urql
// and graphql-sse clients, against a live server.

const example = fileURLToPath(new URL("../examples/client/", import.meta.url));
// Generation and a full tsc program take seconds, far more on a loaded machine.
const SLOW = 120_000;

/** What examples/client/src/catalog-client.ts exports (typed there; this test reads it at run time). */
type CatalogModule = {
  createCatalogClient(url: string): any;
  CatalogError: new (...args: any[]) => Error & { type: string; code: string };
};

/**
 * A copy of the example (its program and tsconfig) in a folder of this test run, with the code
 * generated into it. Inside the repository, so its imports find the project's node_modules.
 */
async function generateClient(): Promise<string> {
  const workspace = mkdtempSync(`${inject("testDirectory")}/client-`);
  cpSync(`${example}src`, `${workspace}/src`, { recursive: true });
  cpSync(`${example}tsconfig.json`, `${workspace}/tsconfig.json`);
  // The example's own configuration, only its output folder moved here.
  const [output, ...others] = Object.values(codegenConfig.generates);
  if (!output || others.length > 0) throw new Error("examples/client/codegen.ts should have one output");
  await generate(
    { ...codegenConfig, cwd: example, silent: true, generates: { [`${workspace}/generated/`]: output } },
    true,
  );
  return workspace;
}

/** tsc's diagnostics for the workspace's tsconfig, as `file:line: TSxxxx message`. */
function typeCheck(workspace: string): string[] {
  const configFile = ts.readConfigFile(`${workspace}/tsconfig.json`, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, workspace);
  expect(parsed.errors).toEqual([]);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code} ${message}`;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const file = diagnostic.file.fileName.slice(workspace.length + 1);
    return `${file}:${line + 1}: TS${diagnostic.code} ${message}`;
  });
}

describe("the example client's generated code", () => {
  const server = startTestServer();
  const staff = server.as("STAFF");
  let workspace: string;
  let catalog: CatalogModule;
  let generated: Record<string, any>;

  beforeAll(async () => {
    workspace = await generateClient();
    catalog = await import(pathToFileURL(`${workspace}/src/catalog-client.ts`).href);
    generated = await import(pathToFileURL(`${workspace}/generated/graphql.ts`).href);
  }, SLOW);

  it(
    "type-checks with the example's client program",
    () => {
      expect(Object.keys(generated).filter((name) => name.endsWith("Document"))).toEqual(
        expect.arrayContaining(["BrowseProductsDocument", "LogInDocument", "ProductChangedDocument"]),
      );
      expect(typeCheck(workspace)).toEqual([]);
    },
    SLOW,
  );

  it(
    "refuses a program that reads an unselected field, omits a required variable or misspells an enum value",
    () => {
      // Each line marked `// wrong` must fail tsc, and nothing else may.
      const lines = [
        'import type { Client } from "@urql/core";',
        'import { type BrowseProductsQuery, type CreateProductInput, ProductDetailDocument } from "../generated/graphql.ts";',
        "declare const page: BrowseProductsQuery;",
        "declare const client: Client;",
        "export const name = page.products.edges[0]?.node.name;",
        "export const costPrice = page.products.edges[0]?.node.costPrice; // wrong: BrowseProducts does not select it",
        "export const detail = client.query(ProductDetailDocument, {}); // wrong: $id is required",
        'export const input: CreateProductInput = { sku: "A-1", name: "A", price: "1.00", currency: "EUR",',
        '  status: "PUBLISHED" }; // wrong: not a ProductStatus',
      ];
      writeFileSync(`${workspace}/src/mistakes.ts`, lines.join("\n"));
      let diagnostics: string[];
      try {
        diagnostics = typeCheck(workspace);
      } finally {
        rmSync(`${workspace}/src/mistakes.ts`);
      }
      const failingLines = diagnostics.map(
        (diagnostic) => diagnostic.match(/^src\/mistakes\.ts:(\d+):/)?.[1],
      );
      const wrongLines = lines.flatMap((line, index) =>
        line.includes("// wrong") ? [String(index + 1)] : [],
      );
      expect(failingLines, diagnostics.join("\n")).toEqual(wrongLines);
      expect(diagnostics[0]).toMatch(/TS2339 Property 'costPrice' does not exist/);
      expect(diagnostics[1]).toMatch(/'id'/);
      expect(diagnostics[2]).toMatch(/"PUBLISHED"/);
    },
    SLOW,
  );

  it("logs staff in, refreshes the session, and creates a product that reads back by id", async () => {
    const { email } = await staff.session();
    const client = catalog.createCatalogClient(`${server.url}/graphql`);
    const first = await client.logIn(email, TEST_PASSWORD);
    expect(first.user).toMatchObject({ email, role: "STAFF" });

    const refreshed = await client.refresh();
    expect(refreshed.user.id).toBe(first.user.id);
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);
    // (The access token itself may equal the first: both say the same within one second.)
    expect(Date.parse(refreshed.accessTokenExpiresAt)).toBeGreaterThanOrEqual(
      Date.parse(first.accessTokenExpiresAt),
    );
    expect(client.session).toBe(refreshed);
    // The old refresh token is spent: the generated document through urql, outside the program.
    const plain = new Client({ url: `${server.url}/graphql`, exchanges: [fetchExchange] });
    const reused = await plain
      .mutation(generated.RefreshSessionDocument, { refreshToken: first.refreshToken })
      .toPromise();
    expect(reused.data?.refreshToken).toMatchObject({ __typename: "AuthenticationError" });

    // The refreshed access token authorises a staff-only mutation.
    const sku = `client-${randomUUID().slice(0, 8)}`;
    const created = await client.createProduct({
      sku,
      name: "Typed client mug",
      price: "12.50",
      costPrice: "4.10",
      currency: "EUR",
      stock: 3,
      status: "ACTIVE",
    });
    expect(created).toMatchObject({ sku: sku.toUpperCase(), costPrice: { amount: "4.10", currency: "EUR" } });

    const anonymous = catalog.createCatalogClient(`${server.url}/graphql`);
    expect(await anonymous.productDetail(created.id)).toEqual({
      id: created.id,
      sku: sku.toUpperCase(),
      name: "Typed client mug",
      status: "ACTIVE",
      price: { amount: "12.50", currency: "EUR" },
      description: "",
      stock: 3,
      category: null,
      updatedAt: expect.any(String),
    });

    // A typed error answer (the same sku again) becomes the program's CatalogError.
    const duplicate = await client.createProduct({ sku, name: "Again", price: "1.00", currency: "EUR" }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(duplicate).toBeInstanceOf(catalog.CatalogError);
    expect(duplicate).toMatchObject({ type: "ConflictError", code: "CONFLICT" });
    client.close();
    anonymous.close();
  });

  it("pages forward with first/after and back with last/before through the same products", async () => {
    const term = `pager-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push(await createProduct(staff, { name: `${term} ${index}`, status: "ACTIVE" }));
    }
    const client = catalog.createCatalogClient(`${server.url}/graphql`);
    const filter = { search: term };

    const forward: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const products: any = await client.browseProducts({ filter, first: 2, after });
      expect(products.totalCount).toBe(5);
      forward.push(...products.edges.map((edge: any) => edge.node.id));
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
    }
    expect(forward).toEqual(ids);

    const backward: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const products: any = await client.browseProducts({ filter, last: 2, before });
      backward.unshift(...products.edges.map((edge: any) => edge.node.id));
      if (!products.pageInfo.hasPreviousPage) break;
      before = products.pageInfo.startCursor;
    }
    expect(backward).toEqual(ids);
    client.close();
  });

  it("delivers a staff member's update to a subscriber over Server-Sent Events", async () => {
    const productId = await createProduct(staff, { status: "ACTIVE", price: "9.99" });
    const subscriber = catalog.createCatalogClient(`${server.url}/graphql`);
    const changes: any[] = [];
    const errors: Error[] = [];
    const stop = subscriber.watchProduct(
      productId,
      (change: any) => changes.push(change),
      (error: Error) => errors.push(error),
    );
    try {
      await untilListening(server, "productChanged", 1);
      const { email } = await staff.session();
      const writer = catalog.createCatalogClient(`${server.url}/graphql`);
      await writer.logIn(email, TEST_PASSWORD);
      await writer.updateProduct({ id: productId, price: "15.00" });
      writer.close();
      await until(() => changes.length + errors.length > 0, "the subscriber receives the change");
      expect(errors).toEqual([]);
      expect(changes).toEqual([
        {
          kind: "UPDATED",
          productId,
          changed: ["PRICE"],
          stockDelta: null,
          product: expect.objectContaining({ id: productId, price: { amount: "15.00", currency: "EUR" } }),
        },
      ]);
    } finally {
      stop();
      subscriber.close();
    }
  });
});
