// Creates a migration from your uncommitted changes to prisma/schema.prisma:
//   npm run db:migration -- <name> [--from <git-ref>]   (default ref: HEAD)
// `prisma migrate dev` cannot be used here: its shadow database fails through the SQLite driver
// adapter on multi-statement migrations. Diffing two datamodels needs no database at all.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const fromIndex = args.indexOf("--from");
const refIndex = fromIndex >= 0 ? fromIndex + 1 : -1;
const ref = refIndex >= 0 ? args[refIndex] : "HEAD";
const name = args.find((arg, index) => !arg.startsWith("--") && index !== refIndex);
if (!name || !/^[a-z0-9_]+$/.test(name) || !ref) {
  console.error("Usage: npm run db:migration -- <name_in_snake_case> [--from <git-ref>]");
  process.exit(2);
}

const previous = join(mkdtempSync(join(tmpdir(), "migration-")), "schema.prisma");
writeFileSync(previous, execFileSync("git", ["show", `${ref}:prisma/schema.prisma`]));
const sql = execFileSync(
  "npx",
  [
    "prisma",
    "migrate",
    "diff",
    "--from-schema-datamodel",
    previous,
    "--to-schema-datamodel",
    "prisma/schema.prisma",
    "--script",
  ],
  { encoding: "utf8" },
);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log(`prisma/schema.prisma has no changes against ${ref}; no migration written.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const directory = `prisma/migrations/${stamp}_${name}`;
mkdirSync(directory, { recursive: true });
writeFileSync(`${directory}/migration.sql`, sql);
console.log(`Wrote ${directory}/migration.sql: review it, then npm run db:migrate.`);
