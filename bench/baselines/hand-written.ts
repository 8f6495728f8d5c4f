// The hand-written baseline: what the fastest honest server for the bench's queries looks like.
// node:http, better-sqlite3, one prepared statement per scenario with the best index for it,
// and the same JSON as our server, byte for byte in shape (the harness checks it). It knows the
// bench's documents by heart, as a persisted-query handler would, and refuses anything else.
// Run as a child process: DATABASE_FILE (a copy of the bench database: the indexes it adds must
// not change what our server runs on), PORT.

import { createServer } from "node:http";
import Database from "better-sqlite3";
import { PAGE_DOCUMENT, PRODUCT_DOCUMENT, TYPENAME_DOCUMENT } from "../scenarios.ts";

const databaseFile = process.env.DATABASE_FILE;
if (!databaseFile) throw new Error("DATABASE_FILE is required");
const database = new Database(databaseFile);
// Scenario 1's best index: equality on category and status, then the page order, so SQLite
// walks the index in order and stops after 20 rows (stock and price are checked on those rows).
database.exec(
  'CREATE INDEX IF NOT EXISTS "bench_page" ON "Product" ("categoryId", "status", "createdAt", "id")',
);
database.exec("ANALYZE");

const pageStatement = database.prepare<[number, number], PageRow>(`
  SELECT p."id", p."name", p."sku", c."name" AS "categoryName"
  FROM "Product" p LEFT JOIN "Category" c ON c."id" = p."categoryId"
  WHERE p."categoryId" = ? AND p."status" = 'ACTIVE' AND p."stock" > 0 AND p."priceMicros" >= ?
  ORDER BY p."createdAt" ASC, p."id" ASC
  LIMIT 20`);
// Scenario 2: the primary key is the best index there is.
const productStatement = database.prepare<[number], ProductRow>(`
  SELECT p."id", p."name", p."sku", p."description", p."priceMicros", p."currency", p."stock",
    c."name" AS "categoryName"
  FROM "Product" p LEFT JOIN "Category" c ON c."id" = p."categoryId"
  WHERE p."id" = ? AND p."status" = 'ACTIVE'`);

type PageRow = { id: number; name: string; sku: string; categoryName: string | null };
type ProductRow = PageRow & { description: string; priceMicros: number; currency: string; stock: number };
type Variables = Record<string, unknown>;

const globalId = (typename: string, id: number) => Buffer.from(`${typename}:${id}`).toString("base64");

/** The database id in a global id of the type, or 0 (no row has it). */
function databaseId(typename: string, value: unknown): number {
  const [name, id] = Buffer.from(String(value), "base64").toString("utf8").split(":");
  return name === typename && /^\d+$/.test(id ?? "") ? Number(id) : 0;
}

// Decimals per currency (ISO 4217, as src/domain/money.ts reads them), looked up once each.
const decimalsOf = new Map<string, number>();
function amount(micros: number, currency: string): string {
  let decimals = decimalsOf.get(currency);
  if (decimals === undefined) {
    decimals = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits as number;
    decimalsOf.set(currency, decimals);
  }
  const whole = Math.floor(micros / 1_000_000);
  if (decimals === 0) return String(whole);
  return `${whole}.${String(micros % 1_000_000)
    .padStart(6, "0")
    .slice(0, decimals)}`;
}

/** "12.5" → 12500000, for a price bound; the bench only sends plain decimals. */
function micros(value: unknown): number {
  const [whole = "0", fraction = ""] = String(value ?? "0").split(".");
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

const category = (name: string | null) => (name === null ? null : { name });

const handlers = new Map<string, (variables: Variables) => unknown>([
  [TYPENAME_DOCUMENT, () => ({ __typename: "Query" })],
  [
    PAGE_DOCUMENT,
    (variables) => ({
      products: {
        edges: pageStatement
          .all(databaseId("Category", variables.category), micros(variables.minPrice))
          .map((row) => ({
            node: {
              id: globalId("Product", row.id),
              name: row.name,
              sku: row.sku,
              category: category(row.categoryName),
            },
          })),
      },
    }),
  ],
  [
    PRODUCT_DOCUMENT,
    (variables) => {
      const row = productStatement.get(databaseId("Product", variables.id));
      return {
        product: row
          ? {
              id: globalId("Product", row.id),
              name: row.name,
              sku: row.sku,
              description: row.description,
              price: { amount: amount(row.priceMicros, row.currency), currency: row.currency },
              stock: row.stock,
              category: category(row.categoryName),
            }
          : null,
      };
    },
  ],
]);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let status = 200;
    let answer: unknown;
    try {
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const handler = handlers.get(query);
      if (handler) answer = { data: handler(variables ?? {}) };
      else {
        status = 400;
        answer = { errors: [{ message: "This server answers the bench's documents only" }] };
      }
    } catch (error) {
      status = 400;
      answer = { errors: [{ message: (error as Error).message }] };
    }
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(answer));
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  database.close();
});
