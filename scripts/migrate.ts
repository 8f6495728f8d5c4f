// npm run db:migrate, also the first step of npm start and npm run dev: applies the committed
// migrations the database lacks (src/db/migrations.ts; safe while other processes serve from it),
// and says in one line which file it migrated and what it applied.
import { relative } from "node:path";
import { ConfigError, loadConfig } from "../src/config.ts";
import { MigrationError, migrateDatabase } from "../src/db/migrations.ts";

try {
  const { database, applied, total } = await migrateDatabase(loadConfig().databaseUrl);
  // A SQLite file inside the project by its relative path; a PostgreSQL URL as it is (no password).
  const shown =
    database.includes("://") || relative(process.cwd(), database).startsWith("..")
      ? database
      : relative(process.cwd(), database);
  if (applied.length === 0) console.log(`Database ${shown}: up to date (${total} migrations).`);
  else if (applied.length === total) console.log(`Database ${shown}: applied all ${total} migrations.`);
  else
    console.log(
      `Database ${shown}: applied ${applied.length} of ${total} migrations (${applied.join(", ")}).`,
    );
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof MigrationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
