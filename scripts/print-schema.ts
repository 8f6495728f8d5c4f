// Writes schema.graphql, the public contract for clients and codegen: `npm run schema:print`.
// With --check it writes nothing and exits 1 when the committed file differs from the code.
import { readFileSync, writeFileSync } from "node:fs";
import { printSchema } from "graphql";
import { schema } from "../src/schema/index.ts";

const target = new URL("../schema.graphql", import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes("--check")) {
  const committed = readFileSync(target, "utf8");
  if (committed !== printed) {
    console.error("schema.graphql is stale: run `npm run schema:print` and commit it.");
    process.exit(1);
  }
} else {
  writeFileSync(target, printed);
}
