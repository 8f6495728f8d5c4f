// Creates a migration from your uncommitted changes to prisma/schema.prisma, for each database:
//   npm run db:migration -- <name> [--from <git-ref>]   (default ref: HEAD)
// It writes prisma/migrations/<stamp>_<name> (SQLite) and prisma/postgresql/migrations/<stamp>_<name>
// (PostgreSQL, from the schema derived by scripts/postgresql-schema.ts, which it refreshes).
// `prisma migrate dev` cannot be used here: its shadow database fails through the SQLite driver
// adapter on multi-statement migrations, and cannot read PostgreSQL through the pg adapter on
// Prisma 6.19. Diffing two datamodels needs no database at all.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresqlSchema } from "./postgresql-schema.ts";

const args = process.argv.slice(2);
const fromIndex = args.indexOf("--from");
const refIndex = fromIndex >= 0 ? fromIndex + 1 : -1;
const ref = refIndex >= 0 ? args[refIndex] : "HEAD";
const name = args.find((arg, index) => !arg.startsWith("--") && index !== refIndex);
if (!name || !/^[a-z0-9_]+$/.test(name) || !ref) {
  console.error("Usage: npm run db:migration -- <name_in_snake_case> [--from <git-ref>]");
  process.exit(2);
}

const previousSqlite = execFileSync("git", ["show", `${ref}:prisma/schema.prisma`], { encoding: "utf8" });
const currentSqlite = readFileSync("prisma/schema.prisma", "utf8");
writeFileSync("prisma/postgresql/schema.prisma", postgresqlSchema(currentSqlite));

const scratch = mkdtempSync(join(tmpdir(), "migration-"));
const databases = [
  { folder: "prisma/migrations", previous: previousSqlite, current: "prisma/schema.prisma" },
  {
    folder: "prisma/postgresql/migrations",
    previous: postgresqlSchema(previousSqlite),
    current: "prisma/postgresql/schema.prisma",
  },
];
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
for (const [index, database] of databases.entries()) {
  const previous = join(scratch, `${index}.prisma`);
  writeFileSync(previous, database.previous);
  const sql = execFileSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-schema-datamodel",
      previous,
      "--to-schema-datamodel",
      database.current,
      "--script",
    ],
    { encoding: "utf8" },
  );
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log(`${database.current} has no changes against ${ref}; no migration written.`);
    continue;
  }
  const directory = `${database.folder}/${stamp}_${name}`;
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}/migration.sql`, sql);
  console.log(`Wrote ${directory}/migration.sql: review it, then npm run db:migrate.`);
}
