// `npm run schema:check`: the changes from the released contract (contract/released-schema.graphql)
// to the schema the code builds, breaking and dangerous ones listed. Exits 1 when a breaking
// change is not acknowledged in CHANGELOG.md (see scripts/schema-contract.ts); npm test runs it.
// --released <file> and --changelog <file> check against other copies (a test does).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { printSchema } from "graphql";
import { schema } from "../src/schema/index.ts";
import { CHANGELOG, checkContract, formatReport, RELEASED_SCHEMA } from "./schema-contract.ts";

const root = new URL("../", import.meta.url);
const { values } = parseArgs({ options: { released: { type: "string" }, changelog: { type: "string" } } });
const report = await checkContract({
  released: readFileSync(values.released ?? new URL(RELEASED_SCHEMA, root), "utf8"),
  current: printSchema(schema),
  changelog: readFileSync(values.changelog ?? new URL(CHANGELOG, root), "utf8"),
});
const output = formatReport(report, values.released);
if (report.ok) console.log(output);
else {
  console.error(output);
  process.exitCode = 1;
}
