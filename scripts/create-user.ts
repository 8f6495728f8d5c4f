// Creates a user directly in the database the server uses (same DATABASE_URL), e.g. the first admin:
//   npm run user:create -- --email admin@example.com --password 'a long secret' --role ADMIN [--name Admin]
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { CatalogError } from "../src/errors.ts";
import { createAccount } from "../src/services/accounts.ts";

const roles = ["ADMIN", "STAFF", "CUSTOMER"] as const;
const { values } = parseArgs({
  options: {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    role: { type: "string", default: "CUSTOMER" },
  },
});
const role = roles.find((candidate) => candidate === values.role?.toUpperCase());
if (!values.email || !values.password || !role) {
  console.error(
    "Usage: npm run user:create -- --email <email> --password <password> [--role ADMIN|STAFF|CUSTOMER] [--name <name>]",
  );
  process.exit(2);
}

const prisma = createPrisma(loadConfig());
try {
  const user = await createAccount(
    { prisma },
    { email: values.email, password: values.password, name: values.name ?? values.email.split("@")[0] ?? "" },
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
