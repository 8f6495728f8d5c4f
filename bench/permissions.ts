// npm run bench: what the permission layer costs on a large list, as ratios within one run.
// Three schemas answer the same query (100 products with their category and price) for an
// admin, executed in-process through Yoga (no network, so only execution differs):
//   baseline      the Pothos schema without any permission layer
//   ours          the rule tree as applied by src/auth/permissions.ts (plain-allow fields unwrapped)
//   shield-naive  the same rule tree applied by graphql-shield as is (every field wrapped)

import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { deny, type IRules, shield } from "graphql-shield";
import { createYoga } from "graphql-yoga";
import { ruleTree } from "../src/auth/permissions.ts";
import { loadConfig } from "../src/config.ts";
import type { Context } from "../src/context.ts";
import { createPrisma } from "../src/db/client.ts";
import { createRateLimits } from "../src/rate-limits.ts";
import { builder } from "../src/schema/builder.ts";
import { schema as ours } from "../src/schema/index.ts";
import { createAccount } from "../src/services/accounts.ts";
import { createCategory } from "../src/services/categories.ts";
import { createEventBus } from "../src/services/events.ts";
import { createProduct } from "../src/services/products.ts";

const ROUNDS = 5;
const REQUESTS_PER_ROUND = 200;
const query = `{ products(first: 100) { totalCount edges { node { id sku name description stock status
  price { amount currency } createdAt category { id name slug } } } } }`;

mkdirSync("data", { recursive: true });
const directory = mkdtempSync("data/bench-");
const databaseUrl = `file:${directory}/bench.db`;
execFileSync("npx", ["prisma", "migrate", "deploy"], {
  env: { ...process.env, DATABASE_URL: databaseUrl },
  stdio: "ignore",
});
const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" });
const prisma = createPrisma(config);
const { events } = createEventBus(config.redis, (error) => console.warn("A change event was lost:", error));
// Written through the services, as the API writes, so the rows are what the API would store.
const writer = { config, prisma, events, user: null };
const category = await createCategory(writer, { name: "Bench", slug: "bench" });
for (let index = 0; index < 100; index += 1) {
  await createProduct(writer, {
    sku: `BENCH-${index}`,
    name: `Bench product ${index}`,
    price: `${100 + index}.00`,
    currency: "EUR",
    stock: index,
    status: "ACTIVE",
    categoryId: category.id,
  });
}
const admin = await createAccount(
  writer,
  { email: `bench-${randomUUID()}@example.test`, name: "Bench", password: randomUUID() },
  "ADMIN",
);

const unprotected = builder.toSchema();
const naive = applyMiddleware(
  unprotected,
  shield(ruleTree as IRules, { fallbackRule: deny, allowExternalErrors: true }),
);

const rateLimits = createRateLimits(config.rateLimit, config.redis);

function executor(schema: GraphQLSchema) {
  const yoga = createYoga({
    schema,
    logging: false,
    maskedErrors: false,
    context: (): Context => ({
      config,
      prisma,
      requestId: randomUUID(),
      user: { id: admin.id, role: admin.role },
      credentialsError: null,
      tokenExpiresAt: null,
      clientAddress: "127.0.0.1",
      rateLimits,
      events,
    }),
  });
  return async () => {
    const response = await yoga.fetch("http://bench/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    const body = await response.json();
    if (body.errors || body.data.products.edges.length !== 100)
      throw new Error(JSON.stringify(body).slice(0, 500));
  };
}

const variants = { baseline: executor(unprotected), ours: executor(ours), "shield-naive": executor(naive) };
const timings: Record<string, number[]> = { baseline: [], ours: [], "shield-naive": [] };
for (const run of Object.values(variants)) for (let i = 0; i < 20; i += 1) await run(); // warm-up
// Interleaved rounds, so drift in machine load affects every variant alike.
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, run] of Object.entries(variants)) {
    const start = performance.now();
    for (let i = 0; i < REQUESTS_PER_ROUND; i += 1) await run();
    timings[name]?.push((performance.now() - start) / REQUESTS_PER_ROUND);
  }
}
await prisma.$disconnect();
rmSync(directory, { recursive: true, force: true });

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const base = median(timings.baseline ?? []);
console.log(`products(first: 100), ${ROUNDS} rounds x ${REQUESTS_PER_ROUND} requests, median per request:`);
for (const [name, values] of Object.entries(timings)) {
  const ms = median(values);
  console.log(`  ${name.padEnd(13)} ${ms.toFixed(2)} ms   ${(ms / base).toFixed(2)}x baseline`);
}
