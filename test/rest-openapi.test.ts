import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { rest } from "./helpers/rest.ts";
import { startTestServer } from "./helpers/server.ts";

// The OpenAPI document at /api/openapi.json: valid, and exactly the routes the server serves.

const server = startTestServer();
const staff = server.as("STAFF");

/** Every route of the REST API: the contract README.md's table shows. */
const ROUTES = [
  "GET /api/products",
  "POST /api/products",
  "GET /api/products/{id}",
  "PATCH /api/products/{id}",
  "DELETE /api/products/{id}",
  "POST /api/products/{id}/stock",
  "GET /api/categories",
  "POST /api/categories",
  "GET /api/categories/{id}",
  "PATCH /api/categories/{id}",
  "DELETE /api/categories/{id}",
  "POST /api/auth/log-in",
  "POST /api/auth/refresh",
  "POST /api/auth/log-out",
];

async function openApi() {
  const response = await server.fetch("/api/openapi.json");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return response.json();
}

function routesOf(document: any): string[] {
  const base = document.servers?.[0]?.url ?? "";
  return Object.entries(document.paths as Record<string, object>).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${base}${path}`),
  );
}

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(await openApi());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\./);
    // Every reference resolves (the schema check alone does not follow them).
    const document = await openApi();
    const references = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(references.length).toBeGreaterThan(0);
    for (const [, name] of references)
      expect(document.components.schemas, name).toHaveProperty([name as string]);
  });

  it("lists every route served, and no other", async () => {
    expect(routesOf(await openApi()).sort()).toEqual([...ROUTES].sort());
  });

  it("declares each path parameter, and sends input in the body only", async () => {
    const document = await openApi();
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const inPath = (operation.parameters ?? []).filter((parameter: any) => parameter.in === "path");
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
        expect(
          inPath.map((parameter: any) => parameter.name),
          `${method} ${path}`,
        ).toEqual(templated);
        const names = (operation.parameters ?? []).map((parameter: any) => parameter.name);
        expect(names, `${method} ${path}`).not.toContain("input");
        if (method === "post" || method === "patch") {
          const body = operation.requestBody?.content["application/json"].schema;
          expect(body?.properties.input, `${method} ${path}`).toBeDefined();
        }
      }
    }
    // The path's id fills input.id, so the body of an update does not require it.
    const update = document.paths["/products/{id}"].patch.requestBody.content["application/json"].schema;
    expect(update.properties.input.properties).not.toHaveProperty("id");
    expect(update.properties.input.properties).toHaveProperty("name");
  });

  it("describes Decimal amounts as strings and filters as JSON query parameters", async () => {
    const document = await openApi();
    const createInput = document.components.schemas.CreateProductInput;
    expect(createInput.properties.price.type).toBe("string");
    const filter = document.paths["/products"].get.parameters.find(
      (parameter: any) => parameter.name === "filter",
    );
    expect(filter.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ProductFilter" });
  });

  it("describes only the types its routes use, not GraphQL-only ones", async () => {
    const names = Object.keys((await openApi()).components.schemas);
    expect(names).toEqual(
      expect.arrayContaining(["Product", "Category", "CreateProductInput", "AuthPayload"]),
    );
    for (const graphqlOnly of [
      "SetUserRoleInput",
      "UserConnection",
      "ProductChange",
      "ChangePasswordInput",
    ]) {
      expect(names).not.toContain(graphqlOnly);
    }
  });

  it("names the Bearer scheme", async () => {
    const document = await openApi();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("serves every route it lists (none answers 404 for want of a route, or 405)", async () => {
    const document = await openApi();
    const id = Buffer.from("Product:987654321").toString("base64");
    for (const route of routesOf(document)) {
      const [method, path] = route.split(" ") as [string, string];
      const answer = await rest(server, method, path.replace("{id}", id), {
        as: staff,
        body: method === "POST" || method === "PATCH" ? { input: {} } : undefined,
      });
      expect(answer.status, route).not.toBe(405);
      expect(answer.body?.errors?.[0]?.message ?? "", route).not.toMatch(/^No route/);
    }
  });

  it("is not accompanied by Swagger UI, whose assets would come from a CDN", async () => {
    expect((await server.fetch("/api/docs")).status).toBe(404);
  });
});

describe("in production (introspection off)", () => {
  const production = startTestServer({
    NODE_ENV: "production",
    SECRET_KEY: "rest-production-test-secret-key-0123456789",
  });

  it("serves the routes and the OpenAPI document, which introspection does not govern", async () => {
    expect((await rest(production, "GET", "/api/products")).status).toBe(200);
    expect((await rest(production, "GET", "/api/products/not-an-id")).status).toBe(400);
    const document = await production.fetch("/api/openapi.json");
    expect(document.status).toBe(200);
    expect(routesOf(await document.json())).toHaveLength(ROUTES.length);
  });
});
