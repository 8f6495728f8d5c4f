import { useSofa } from "@graphql-yoga/plugin-sofa";
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLBoolean,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context.ts";

/**
 * REST under /api, generated from the schema by SOFA: each route runs one GraphQL operation
 * SOFA builds from its field (every field of the answer, nested objects included), through
 * Yoga's own pipeline: the same context (Bearer token), permission rules, rate limits, masking
 * and execution timeout as /graphql. What this plugin adds around SOFA:
 *
 * - only the routes below are served. SOFA would also serve every other query and mutation, and
 *   its subscription webhooks, which make the server POST events to any URL a caller names;
 *   account administration and subscriptions stay on GraphQL.
 * - typed errors (a mutation's union result) and GraphQL errors answer with the fitting HTTP
 *   status, not 200.
 * - the fields of a document the caller may not read (costPrice, unless staff) are left out of
 *   the answer instead of failing it: SOFA asks for every field, whoever calls.
 *
 * SOFA executes documents it built itself, without Yoga's parse and validate phases, so what
 * guards client-written documents there (graphql-armor's shape limits, trusted documents) does
 * not apply: these documents are the server's own. Nor does the CSRF check, which guards form
 * posts: REST reads only a Bearer token, which a cross-site form cannot send. A request refused
 * before it runs (a body that is not JSON, an unknown route) is not counted by the rate limits,
 * which count operations; it touches no database.
 */

const BASE_PATH = "/api";
const OPENAPI_PATH = `${BASE_PATH}/openapi.json`;

type Method = "GET" | "POST" | "PATCH" | "DELETE";
type Route = {
  method: Method;
  /** Under BASE_PATH; `:id` is a path parameter. */
  path: string;
  /**
   * The field of the mutation's `input` that the path's `:id` fills in. SOFA maps path
   * parameters onto top-level arguments only, and our mutations take one `input`.
   */
  idInput?: string;
  /** 201 for a creation. */
  status?: 200 | 201;
};

/** The route of each GraphQL field served over REST (the schema's `Type.field`). */
const ROUTES: Record<string, Route> = {
  "Query.products": { method: "GET", path: "/products" },
  "Query.product": { method: "GET", path: "/products/:id" },
  "Mutation.createProduct": { method: "POST", path: "/products", status: 201 },
  "Mutation.updateProduct": { method: "PATCH", path: "/products/:id", idInput: "id" },
  "Mutation.deleteProduct": { method: "DELETE", path: "/products/:id", idInput: "id" },
  "Mutation.adjustStock": { method: "POST", path: "/products/:id/stock", idInput: "productId" },
  "Query.categories": { method: "GET", path: "/categories" },
  "Query.category": { method: "GET", path: "/categories/:id" },
  "Mutation.createCategory": { method: "POST", path: "/categories", status: 201 },
  "Mutation.updateCategory": { method: "PATCH", path: "/categories/:id", idInput: "id" },
  "Mutation.deleteCategory": { method: "DELETE", path: "/categories/:id", idInput: "id" },
  "Mutation.logIn": { method: "POST", path: "/auth/log-in" },
  "Mutation.refreshToken": { method: "POST", path: "/auth/refresh" },
  "Mutation.logOut": { method: "POST", path: "/auth/log-out" },
};

/** The HTTP status of an error's extensions.code. */
const STATUS_OF_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // The request is valid but the stock, as it now is, cannot cover it: a conflict with the
  // current state, like a duplicate sku; the same request may succeed after a restock.
  INSUFFICIENT_STOCK: 409,
  RATE_LIMITED: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
  INTERNAL_SERVER_ERROR: 500,
  TIMEOUT: 503,
};

/** Field refusals of the rule tree: for a nested field, the REST answer leaves the field out. */
const REFUSAL_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN"]);

const routeByField = new Map(
  Object.entries(ROUTES).map(([typeAndField, route]) => [typeAndField.split(".")[1] as string, route]),
);
const matchers = Object.entries(ROUTES).map(([typeAndField, route]) => ({
  route,
  typeAndField,
  pattern: new RegExp(`^${BASE_PATH}${route.path.replace(/:id\b/, "[^/]+")}$`),
}));

export function restApi(): Plugin<Context> {
  const sofa = useSofa({
    basePath: BASE_PATH,
    routes: Object.fromEntries(
      Object.entries(ROUTES).map(([field, { method, path, status }]) => [
        field,
        { method, path, responseStatus: status ?? 200 },
      ]),
    ),
    openAPI: {
      info: {
        title: "Product catalog REST API",
        version: "1.0.0",
        description:
          "Generated from the GraphQL schema by SOFA. Send `Authorization: Bearer <accessToken>` (from POST /api/auth/log-in) where a route needs a user.",
      },
    },
    // Decimal travels as a string ("12.50"), never a float (SOFA would call it an object).
    customScalars: { Decimal: { type: "string", example: "12.50" } },
    // fets' Swagger UI loads its scripts and styles from a CDN; the server must work offline.
    swaggerUI: { endpoint: false },
    // Typed as fets' own Response class; any fetch Response serves, as Yoga sends it on unchanged.
    errorHandler: errorResponse as never,
  });
  const sofaOnRequest = sofa.onRequest as NonNullable<Plugin["onRequest"]>;
  // The schema, hence the document, does not change while the server runs.
  let openApi: OpenApiDocument | undefined;
  let schema: GraphQLSchema | undefined;

  return {
    ...(sofa as Plugin<Context>),
    onSchemaChange(payload) {
      schema = payload.schema;
      sofa.onSchemaChange?.(payload);
    },
    async onRequest(payload) {
      const { pathname } = payload.url;
      if (pathname !== BASE_PATH && !pathname.startsWith(`${BASE_PATH}/`)) return;
      const { method } = payload.request;
      if (pathname === OPENAPI_PATH && method === "GET") {
        if (!openApi) {
          let generated: Response | undefined;
          await sofaOnRequest({ ...payload, endResponse: (response) => (generated = response) });
          if (!generated) throw new Error("SOFA did not answer its OpenAPI document");
          openApi = openApiDocument(await generated.json());
        }
        payload.endResponse(Response.json(openApi));
        return;
      }
      const onPath = matchers.filter(({ pattern }) => pattern.test(pathname));
      const matched = onPath.find(({ route }) => route.method === method);
      if (matched) {
        const mistake = await requestMistake(payload.request, payload.url, matched.typeAndField, schema);
        if (mistake) return payload.endResponse(problem(400, "BAD_USER_INPUT", mistake));
        return await sofaOnRequest(payload);
      }
      payload.endResponse(
        onPath.length > 0
          ? problem(405, "METHOD_NOT_ALLOWED", `${method} is not allowed here`, {
              allow: onPath.map(({ route }) => route.method).join(", "),
            })
          : problem(404, "NOT_FOUND", `No route ${method} ${pathname}; see ${OPENAPI_PATH}`),
      );
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const params = restParams(args);
      if (!params) return;
      const field = rootField(args);
      const idInput = field ? routeByField.get(field)?.idInput : undefined;
      if (idInput && params.id != null) {
        // The path's id wins over one in the body, so the route acts on what its URL names.
        setExecuteFn((executionArgs) => {
          const input = executionArgs.variableValues?.input;
          return executeFn({
            ...executionArgs,
            variableValues: {
              ...executionArgs.variableValues,
              input: { ...(input && typeof input === "object" ? input : {}), [idInput]: params.id },
            },
          });
        });
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (field && !(Symbol.asyncIterator in result)) {
            setResult(
              restResult(result as ExecutionResult, field, getOperationAST(args.document)?.operation),
            );
          }
        },
      };
    },
  };
}

/** The path parameters of a REST request (SOFA's router request carries them), or null for GraphQL. */
function restParams(args: ExecutionArgs): Record<string, string> | null {
  const request = (args.contextValue as { request?: Request & { params?: Record<string, string> } }).request;
  if (!request) return null;
  const { pathname } = new URL(request.url);
  return pathname.startsWith(`${BASE_PATH}/`) ? (request.params ?? {}) : null;
}

function rootField(args: ExecutionArgs): string | undefined {
  const selection = getOperationAST(args.document, args.operationName)?.selectionSet.selections[0];
  return selection?.kind === Kind.FIELD ? selection.name.value : undefined;
}

/**
 * The result SOFA turns into the answer: refused nested fields left out, a typed error of a
 * union result and a missing entity turned into errors, which errorResponse gives a status.
 */
function restResult(result: ExecutionResult, field: string, operation?: string): ExecutionResult {
  const errors = [];
  const data = result.data ? structuredClone(result.data) : result.data;
  for (const error of result.errors ?? []) {
    const path = error.path ?? [];
    if (path.length > 1 && REFUSAL_CODES.has(String(error.extensions?.code)) && data) {
      leaveOut(data, path);
    } else {
      errors.push(error);
    }
  }
  if (errors.length > 0) return { errors };
  const value = data?.[field];
  if (value === null && operation === "query") {
    return { errors: [new GraphQLError("Not found", { extensions: { code: "NOT_FOUND" } })] };
  }
  if (isTypedError(value)) {
    const { message, ...details } = value;
    return { errors: [new GraphQLError(message, { path: [field], extensions: details })] };
  }
  return { data };
}

/** A member of a result union implementing `interface Error { message code }`. */
function isTypedError(value: unknown): value is { message: string; code: string } & Record<string, unknown> {
  return (
    value != null &&
    typeof value === "object" &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function leaveOut(data: Record<string, unknown>, path: readonly (string | number)[]) {
  let parent: unknown = data;
  for (const key of path.slice(0, -1)) {
    if (parent == null || typeof parent !== "object") return;
    parent = (parent as Record<string | number, unknown>)[key];
  }
  if (parent != null && typeof parent === "object") {
    delete (parent as Record<string | number, unknown>)[path[path.length - 1] as string | number];
  }
}

/**
 * SOFA's errorHandler: the errors as GraphQL would send them, under the status of the gravest
 * (SOFA's own 400 for a body that is not JSON or a parameter of the wrong type has no code).
 */
function errorResponse(errors: readonly unknown[]): Response {
  let status = 0;
  const headers: Record<string, string> = {};
  const body = errors.map((error) => {
    // Anything but a GraphQLError escaped SOFA's handler unexpectedly: its message is not the
    // client's business (Yoga masks execution errors the same way).
    const graphqlError = error instanceof GraphQLError ? error : new GraphQLError("Unexpected error.");
    const { http, ...extensions } = graphqlError.extensions ?? {};
    const code = typeof extensions.code === "string" ? extensions.code : undefined;
    status = Math.max(status, (code && STATUS_OF_CODE[code]) || http?.status || 500);
    Object.assign(headers, http?.headers);
    const json = graphqlError.toJSON();
    return {
      ...json,
      extensions: {
        ...extensions,
        code: code ?? (http?.status === 400 ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR"),
      },
    };
  });
  return Response.json({ errors: body }, { status, headers });
}

/**
 * What SOFA would misread in a request: a body that is JSON but not an object of arguments (it
 * would fail on `null` with a TypeError's message, and ignore `[]`), and a Boolean argument that
 * is neither true nor false (SOFA reads anything but "true" as false).
 */
async function requestMistake(
  request: Request,
  url: URL,
  typeAndField: string,
  schema: GraphQLSchema | undefined,
): Promise<string | null> {
  if (request.method !== "GET") {
    const text = await request.clone().text();
    if (text.trim()) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return "The body is not valid JSON";
      }
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        return 'The body must be a JSON object of the arguments, e.g. {"input": {...}}';
      }
    }
  }
  const [typeName, fieldName] = typeAndField.split(".") as [string, string];
  const type = schema?.getType(typeName);
  const field = type && isObjectType(type) ? type.getFields()[fieldName] : undefined;
  for (const argument of field?.args ?? []) {
    const value = url.searchParams.get(argument.name);
    if (
      value != null &&
      getNamedType(argument.type) === GraphQLBoolean &&
      !["true", "false"].includes(value)
    ) {
      return `${argument.name} must be true or false`;
    }
  }
  return null;
}

function problem(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });
}

type Parameter = { name: string; in: string; required?: boolean; schema?: { $ref?: string } };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  [key: string]: unknown;
};
type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; $ref?: string };
type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; [key: string]: unknown };
  [key: string]: unknown;
};

const ERROR_ANSWERS: Record<string, string> = {
  "400":
    "Bad input: a body that is not JSON, a parameter of the wrong type, or a ValidationError (extensions.fieldErrors)",
  "401": "No valid Bearer token where the route needs one, or wrong credentials",
  "403": "The user's role may not do this",
  "404": "No such entity, or one the caller may not see",
  "409": "A conflict (duplicate sku, name or slug; category in use) or insufficient stock",
  "429": "Rate limited; Retry-After says when to try again",
};

/**
 * SOFA's OpenAPI document, reduced to the routes served and completed where SOFA cannot know:
 * the `{id}` of the routes that put it into `input`, `input` sent in the body only (SOFA lists
 * it as a query parameter too), input objects in a query parameter as JSON, the bearer scheme
 * and the error answers.
 */
function openApiDocument(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components?.schemas ?? {};
  const paths: NonNullable<OpenApiDocument["paths"]> = {};
  for (const route of Object.values(ROUTES)) {
    const path = route.path.replace(/:id\b/, "{id}");
    const method = route.method.toLowerCase();
    const operation = document.paths?.[path]?.[method];
    if (!operation) continue;
    const hasBody = operation.requestBody != null;
    const parameters = (operation.parameters ?? [])
      .filter(
        (parameter) =>
          !(parameter.in === "query" && parameter.name === "input" && (hasBody || route.idInput)),
      )
      .map(jsonParameter);
    if (route.idInput) {
      parameters.unshift({ name: "id", in: "path", required: true, schema: { type: "string" } } as Parameter);
      const body = operation.requestBody?.content["application/json"]?.schema;
      const inputRef = body?.properties?.input?.$ref;
      const input = inputRef ? schemas[inputRef.split("/").pop() as string] : undefined;
      if (body?.properties && input) {
        // The path's id goes into input, so the body need not repeat it.
        const { properties: all = {}, required: allRequired = [], ...rest } = input;
        const { [route.idInput]: _fromPath, ...properties } = all;
        const required = allRequired.filter((name) => name !== route.idInput);
        // OpenAPI 3.0 refuses an empty `required`.
        body.properties.input = { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
      }
    }
    const responses = successOnly(operation.responses);
    for (const [status, description] of Object.entries(ERROR_ANSWERS)) {
      responses[status] = {
        description,
        content: { "application/json": { schema: { $ref: "#/components/schemas/RestErrors" } } },
      };
    }
    paths[path] ??= {};
    paths[path][method] = { ...operation, parameters, responses };
  }
  const allSchemas = { ...schemas, RestErrors: REST_ERRORS_SCHEMA };
  return {
    ...document,
    // Optional: reading the catalog needs no account.
    security: [{}, { bearerAuth: [] }],
    paths,
    components: {
      ...document.components,
      schemas: reachableSchemas(paths, allSchemas),
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}

/**
 * The component schemas the paths refer to, directly or through one another. SOFA lists every
 * type of the schema, which would describe GraphQL-only types (accounts, subscriptions) even
 * where introspection is off.
 */
function reachableSchemas(paths: unknown, schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const reachable: Record<string, JsonSchema> = {};
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") {
          const name = value.replace("#/components/schemas/", "");
          const schema = schemas[name];
          if (schema && !(name in reachable)) {
            reachable[name] = schema;
            visit(schema);
          }
        } else {
          visit(value);
        }
      }
    }
  };
  visit(paths);
  return reachable;
}

/**
 * A union result's success: its typed errors answer with an error status, so the success
 * status describes only the payload.
 */
function successOnly(responses: Operation["responses"]): Operation["responses"] {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => {
      const content = (response as { content?: Record<string, { schema: { oneOf?: JsonSchema[] } }> })
        .content?.["application/json"];
      const members = content?.schema.oneOf?.filter((member) => !member.$ref?.endsWith("Error"));
      if (!content || !members) return [status, response];
      const schema = members.length === 1 ? members[0] : { oneOf: members };
      return [status, { ...(response as object), content: { "application/json": { schema } } }];
    }),
  );
}

/**
 * An input object in a query parameter travels as JSON (`filter={"search":"knife"}`): described
 * with `content`, not as OpenAPI's default form style, which SOFA does not read.
 */
function jsonParameter(parameter: Parameter): Parameter {
  if (parameter.in !== "query" || !parameter.schema?.$ref) return parameter;
  const { schema, ...rest } = parameter;
  return { ...rest, content: { "application/json": { schema } } } as Parameter;
}

const REST_ERRORS_SCHEMA = {
  type: "object",
  required: ["errors"],
  properties: {
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["message", "extensions"],
        properties: {
          message: { type: "string" },
          path: { type: "array", items: { oneOf: [{ type: "string" }, { type: "integer" }] } },
          extensions: {
            type: "object",
            required: ["code"],
            properties: {
              code: {
                type: "string",
                description: "e.g. BAD_USER_INPUT, UNAUTHENTICATED, NOT_FOUND, CONFLICT",
              },
              fieldErrors: { type: "array", items: { $ref: "#/components/schemas/FieldError" } },
            },
          },
        },
      },
    },
  },
} as unknown as JsonSchema;
