// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma: `npm run db:postgresql-schema`.
// Prisma takes one database provider per schema file, and its client is generated per provider, so
// the PostgreSQL client is generated from a copy of the one model list with only the datasource
// and generator changed. Edit prisma/schema.prisma, never the copy; with --check this writes
// nothing and exits 1 when the committed copy is stale (test/generated-files.test.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const source = new URL("../prisma/schema.prisma", import.meta.url);
const target = new URL("../prisma/postgresql/schema.prisma", import.meta.url);

/** The SQLite schema with PostgreSQL's datasource and client output, and no second Pothos generator. */
export function postgresqlSchema(sqliteSchema: string): string {
  const replacements: [RegExp, string][] = [
    [/^generator pothos \{[^}]*\}\n\n/m, ""],
    [/output(\s+)= "\.\.\/src\/generated\/prisma"/, 'output$1= "../../src/generated/prisma-postgresql"'],
    [
      /provider = "sqlite"\n(\s+)url(\s+)= "[^"]*"/,
      'provider = "postgresql"\n$1url$2= "postgresql://unused-see-prisma-config"',
    ],
  ];
  let schema = sqliteSchema;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(schema)) throw new Error(`prisma/schema.prisma no longer matches ${pattern}`);
    schema = schema.replace(pattern, replacement);
  }
  return `// Generated from prisma/schema.prisma by \`npm run db:postgresql-schema\`: edit that file, not this one.\n${schema}`;
}

// Run as a script (not imported by scripts/new-migration.ts).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const derived = postgresqlSchema(readFileSync(source, "utf8"));
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== derived) {
      console.error(
        "prisma/postgresql/schema.prisma is stale: run `npm run db:postgresql-schema` and commit it.",
      );
      process.exit(1);
    }
  } else {
    writeFileSync(target, derived);
  }
}
