// Creates a user directly in the database the server uses (same DATABASE_URL), e.g. the first admin:
//   npm run user:create -- --email admin@example.com --role ADMIN [--name Admin]
// The password is never an argument (npm echoes the command line, and shells keep a history): in
// a terminal it is asked for twice, hidden; otherwise it is the first line of standard input,
//   printf '%s\n' "$ADMIN_PASSWORD" | npm run user:create -- --email admin@example.com --role ADMIN
import { text } from "node:stream/consumers";
import { parseArgs } from "node:util";
import askPassword from "@inquirer/password";
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { CatalogError } from "../src/errors.ts";
import { createAccount } from "../src/services/accounts.ts";

const USAGE =
  "Usage: npm run user:create -- --email <email> [--role ADMIN|STAFF|CUSTOMER] [--name <name>]\n" +
  "The password is asked for in a terminal, or read from the first line of standard input.";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const roles = ["ADMIN", "STAFF", "CUSTOMER"] as const;
let values: { email?: string; name?: string; role?: string; password?: string };
try {
  ({ values } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string", default: "CUSTOMER" },
      // Still recognised, only to refuse it with the reason.
      password: { type: "string" },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (values.password !== undefined) {
  fail(`--password is not accepted: npm would show it on screen and the shell would keep it.\n${USAGE}`);
}
const role = roles.find((candidate) => candidate === values.role?.toUpperCase());
if (!values.email || !role) fail(USAGE);

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await askPassword({ message: "Password", mask: true });
    const again = await askPassword({ message: "Password again", mask: true });
    if (first !== again) fail("The two passwords differ; nobody was created.");
    return first;
  }
  return (await text(process.stdin)).split(/\r?\n/)[0] ?? "";
}

const password = await readPassword();
const prisma = createPrisma(loadConfig());
try {
  const user = await createAccount(
    { prisma },
    { email: values.email, password, name: values.name ?? values.email.split("@")[0] ?? "" },
    role,
  );
  console.log(`Created ${user.role} ${user.email} (id ${user.id}).`);
} catch (error) {
  if (!(error instanceof CatalogError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
