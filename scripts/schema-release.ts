// `npm run schema:release -- <version>`: records the schema the code builds as the released
// contract (contract/released-schema.graphql) and files CHANGELOG.md's Unreleased section under
// the version. Refuses while schema:check fails, so no breaking change is released unannounced.
// --released <file> and --changelog <file> write other copies (a test does).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { printSchema } from "graphql";
import semver from "semver";
import { schema } from "../src/schema/index.ts";
import {
  CHANGELOG,
  checkContract,
  formatReport,
  RELEASED_SCHEMA,
  releaseChangelog,
} from "./schema-contract.ts";

const root = new URL("../", import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { released: { type: "string" }, changelog: { type: "string" } },
});
const [version] = positionals;
if (!version || positionals.length > 1 || !semver.valid(version)) {
  console.error("Usage: npm run schema:release -- <version>, e.g. npm run schema:release -- 1.2.0");
  process.exit(2);
}
const releasedFile = values.released ?? new URL(RELEASED_SCHEMA, root);
const changelogFile = values.changelog ?? new URL(CHANGELOG, root);

// The text schema:print writes to schema.graphql, so the two files compare byte for byte.
const current = `${printSchema(schema)}\n`;
const changelog = readFileSync(changelogFile, "utf8");
const report = await checkContract({ released: readFileSync(releasedFile, "utf8"), current, changelog });
if (!report.ok) {
  console.error(`${formatReport(report, values.released)}\nNothing released.`);
  process.exit(1);
}
console.log(formatReport(report, values.released));
writeFileSync(releasedFile, current);
writeFileSync(changelogFile, releaseChangelog(changelog, version, new Date().toISOString().slice(0, 10)));
console.log(
  `Released the contract as ${version}: ${values.released ?? RELEASED_SCHEMA} and ${values.changelog ?? CHANGELOG} updated; commit both.`,
);
