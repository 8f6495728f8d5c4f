import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createAccount } from "../src/services/accounts.ts";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer } from "./helpers/server.ts";

// README.md's REST examples, run with curl as written, in order, against a test server: the
// address swapped for the server's, and TOKEN set to the access token the log-in example
// answered, as the README tells the reader to do.

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("\n## REST\n"), readme.indexOf("\n## Authentication\n"));
const examples = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe("README.md's REST examples", () => {
  const server = startTestServer();

  it("each answers as the README says, with curl", async () => {
    expect(examples.length).toBe(4);
    await createAccount(
      { prisma: server.app.prisma },
      { email: "admin@example.com", name: "Admin", password: "a long secret" },
      "ADMIN",
    );
    // The sample catalog's first product, which the one-product example reads (Product:1).
    const first = await createProduct(server.as("STAFF"), {
      name: "Compact Frying Pan",
      stock: 3,
      status: "ACTIVE",
    });
    expect(first).toBe(Buffer.from("Product:1").toString("base64"));

    let token = "";
    const answers: any[] = [];
    for (const example of examples) {
      const script = example
        .replaceAll("http://localhost:4000", server.url)
        .replace(/^TOKEN=\.\.\..*$/m, `TOKEN=${token}`)
        .replaceAll("curl ", "curl -sS --fail-with-body ");
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script]);
      const answer = JSON.parse(stdout);
      answers.push(answer);
      token = answer.accessToken ?? token;
    }
    const [list, one, logIn, created] = answers;
    expect(list.edges.map((edge: any) => edge.node.name)).toEqual(["Compact Frying Pan"]);
    expect(one).toMatchObject({ id: first, name: "Compact Frying Pan" });
    expect(logIn.user.role).toBe("ADMIN");
    expect(created.product).toMatchObject({ sku: "KETTLE-01", name: "Kettle", status: "ACTIVE" });
  });

  it("lists in its table every route of the OpenAPI document, and no other", async () => {
    const inTable = [...section.matchAll(/^\| `(GET|POST|PATCH|DELETE) (\/api\/[^`]*)`/gm)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    const document = await (await server.fetch("/api/openapi.json")).json();
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(
      ([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${document.servers[0].url}${path}`),
    );
    expect(inTable.sort()).toEqual(documented.sort());
  });
});
