import { execFile, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createPrisma } from "../src/db/client.ts";
import { freshDatabaseUrl } from "./databases.ts";
import { startTestServer } from "./helpers/server.ts";

// The command-line scripts (the seed, user:create), run as npm runs them, against the database of
// a running server, whose answers over HTTP show what they wrote.

const run = promisify(execFile);
// Without a response cache: the scripts run in processes of their own, without Redis, so their
// changes reach no server's cache (README, Response cache); answers would be stale until it expired.
const server = startTestServer({ RESPONSE_CACHE_TTL_SECONDS: "0" });
const admin = server.as("ADMIN");

function script(
  path: string,
  args: string[],
  databaseUrl: string,
  environment: Record<string, string> = {},
  input = "",
) {
  const running = run(process.execPath, [path, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test", ...environment },
  });
  running.child.stdin?.end(input);
  return running;
}

async function seed(databaseUrl: string, args: string[] = [], environment: Record<string, string> = {}) {
  return (await script("prisma/seed.ts", args, databaseUrl, environment)).stdout;
}

async function catalog() {
  const body = await admin.graphql(
    `{ products(first: 100) { totalCount edges { node { sku } } } categories(first: 100) { totalCount } }`,
  );
  expect(body.errors).toBeUndefined();
  const { products, categories } = body.data ?? {};
  return {
    products: products.totalCount as number,
    skus: (products.edges as { node: { sku: string } }[]).map((edge) => edge.node.sku),
    categories: categories.totalCount as number,
  };
}

// Slow: each run starts Node and Prisma in a child process.
const SCRIPT_TIMEOUT = 120_000;

describe("the sample catalog seed", () => {
  it(
    "fills an empty catalog, and adds nothing when run again",
    async () => {
      expect(await catalog()).toMatchObject({ products: 0, categories: 0 });
      expect(await seed(server.app.config.databaseUrl)).toMatch(/Seeded 7 categories and 50 products/);
      const first = await catalog();
      expect(first).toMatchObject({ products: 50, categories: 7 });
      expect(new Set(first.skus).size).toBe(50);

      await seed(server.app.config.databaseUrl);
      expect(await catalog()).toEqual(first);
    },
    SCRIPT_TIMEOUT,
  );

  it(
    "builds a tree the subtree filter can read: Kitchen holds Cookware's and Knives' products",
    async () => {
      const body = await admin.graphql(`{ categoryBySlug(slug: "kitchen") { id children { slug } } }`);
      const kitchen = body.data?.categoryBySlug;
      expect(kitchen.children.map((child: { slug: string }) => child.slug).sort()).toEqual([
        "cookware",
        "knives",
      ]);
      const below = await admin.graphql(
        `query ($id: ID!) { products(first: 100, filter: { categoryId: $id, includeSubcategories: true }) {
          edges { node { sku } } } }`,
        { id: kitchen.id },
      );
      const prefixes = new Set(below.data?.products.edges.map((edge: any) => edge.node.sku.slice(0, 3)));
      expect([...prefixes].sort()).toEqual(["COO", "KIT", "KNI"]);
    },
    SCRIPT_TIMEOUT,
  );

  it(
    "with --if-empty (npm start) leaves a catalog with products alone: a deleted product stays deleted",
    async () => {
      const { skus } = await catalog();
      const product = await admin.graphql(`query ($sku: String!) { productBySku(sku: $sku) { id } }`, {
        sku: skus[0],
      });
      const deleted = await admin.graphql(
        `mutation ($input: DeleteProductInput!) { deleteProduct(input: $input) { __typename } }`,
        { input: { id: product.data?.productBySku.id } },
      );
      expect(deleted.data?.deleteProduct.__typename).toBe("DeleteProductPayload");

      expect(await seed(server.app.config.databaseUrl, ["--if-empty"])).toMatch(/already has products/);
      expect((await catalog()).products).toBe(49);
    },
    SCRIPT_TIMEOUT,
  );

  it(
    "with --if-empty writes nothing in production, even into an empty database",
    async () => {
      const databaseUrl = await freshDatabaseUrl("seed-production");
      const output = await seed(databaseUrl, ["--if-empty"], {
        NODE_ENV: "production",
        SECRET_KEY: "seed-test-secret-key-0123456789-abcdefgh",
      });
      expect(output).toMatch(/NODE_ENV=production/);
      const prisma = createPrisma(loadConfig({ NODE_ENV: "test", DATABASE_URL: databaseUrl }));
      try {
        expect(await prisma.product.count()).toBe(0);
      } finally {
        await prisma.$disconnect();
      }
    },
    SCRIPT_TIMEOUT,
  );
});

describe("npm run user:create", () => {
  const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) {
    ... on AuthPayload { accessToken user { email role } } ... on Error { code } } }`;

  it(
    "creates the first admin, who can log in over HTTP and act as one",
    async () => {
      const email = "First.Admin@Example.test";
      const password = "a long admin pass phrase";
      // As a deployment script would: the password on standard input, never an argument.
      const { stdout } = await script(
        "scripts/create-user.ts",
        ["--email", email, "--role", "admin"],
        server.app.config.databaseUrl,
        {},
        `${password}\n`,
      );
      expect(stdout).toMatch(/Created ADMIN first.admin@example.test/);
      const logIn = await server.graphql(LOG_IN, { input: { email, password } });
      expect(logIn.data?.logIn.user).toEqual({ email: "first.admin@example.test", role: "ADMIN" });
      const users = await server.graphql(
        "{ users(first: 1) { totalCount } }",
        {},
        {
          authorization: `Bearer ${logIn.data?.logIn.accessToken}`,
        },
      );
      expect(users.errors).toBeUndefined();
    },
    SCRIPT_TIMEOUT,
  );

  it(
    "refuses a taken email (exit code 1) and bad arguments (exit code 2), creating nobody",
    async () => {
      const url = server.app.config.databaseUrl;
      const failures = await Promise.all(
        [
          [["--email", "first.admin@example.test"], "another long password"],
          [["--email", "short@example.test"], "short"],
          [["--email", "nobody@example.test", "--role", "OWNER"], "long enough 123"],
          [[], "long enough 123"],
          [["--email", "argument@example.test", "--password", "long enough 123"], ""],
        ].map(([args, password]) =>
          script("scripts/create-user.ts", args as string[], url, {}, `${password}\n`).then(
            () => null,
            (error) => error,
          ),
        ),
      );
      expect(failures.map((failure) => failure?.code)).toEqual([1, 1, 2, 2, 2]);
      expect(failures[0].stderr).toMatch(/email is already taken/);
      expect(failures[1].stderr).toMatch(/password: must be at least 8 characters/);
      expect(failures[2].stderr).toMatch(/Usage:/);
      expect(failures[4].stderr).toMatch(/--password is not accepted/);
      const users = await admin.graphql("{ users(first: 100) { edges { node { email } } } }");
      const emails = users.data?.users.edges.map((edge: { node: { email: string } }) => edge.node.email);
      expect(emails).toContain("first.admin@example.test");
      expect(emails).not.toContain("short@example.test");
      expect(emails).not.toContain("nobody@example.test");
      expect(emails).not.toContain("argument@example.test");
    },
    SCRIPT_TIMEOUT,
  );

  // `script` (util-linux) runs the command in a pseudo-terminal, as when a person types it.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  (hasScript ? it : it.skip)(
    `in a terminal, asks for the password twice, hidden, and never shows it${hasScript ? "" : " (skipped: no util-linux script to open a terminal)"}`,
    async () => {
      const email = "typed.staff@example.test";
      const password = "typed pass phrase 42";
      const command = `${process.execPath} scripts/create-user.ts --email ${email} --role staff`;
      const child = spawn("script", ["-qfec", command, "/dev/null"], {
        env: { ...process.env, DATABASE_URL: server.app.config.databaseUrl, NODE_ENV: "test" },
      });
      let screen = "";
      let typed = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        screen += chunk.toString();
        // Type the password when each prompt shows, as a person would.
        const prompts = screen.match(/Password/g)?.length ?? 0;
        const asked = /Password again/.test(screen) ? 2 : prompts > 0 ? 1 : 0;
        while (typed < asked) {
          typed += 1;
          child.stdin.write(`${password}\r`);
        }
      });
      const [code] = await once(child, "exit");
      expect(code, screen).toBe(0);
      expect(screen).toMatch(/Created STAFF typed.staff@example.test/);
      expect(screen).not.toContain(password);
      const logIn = await server.graphql(LOG_IN, { input: { email, password } });
      expect(logIn.data?.logIn.user).toEqual({ email, role: "STAFF" });
    },
    SCRIPT_TIMEOUT,
  );
});
