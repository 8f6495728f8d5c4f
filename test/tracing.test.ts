import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_PASSWORD } from "./helpers/server.ts";

// A stand-in OpenTelemetry collector: it accepts OTLP/HTTP JSON exports as a real one does and
// keeps every span it receives.
type OtlpValue = { stringValue?: string; intValue?: string | number; arrayValue?: { values: OtlpValue[] } };
type ExportedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
};
type Export = {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: ExportedSpan[] }[];
  }[];
};

const exports: { contentType?: string; body: string }[] = [];
const collector = createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8").on("data", (chunk: string) => {
    body += chunk;
  });
  request.on("end", () => {
    if (request.url === "/v1/traces") exports.push({ contentType: request.headers["content-type"], body });
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

const server = startTestServer({
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`,
  OTEL_SERVICE_NAME: "catalog-under-test",
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const callerTrace = hex(16);
const callerSpan = hex(8);
const unsampledTrace = hex(16);

function spans(): ExportedSpan[] {
  return exports.flatMap(({ body }) =>
    (JSON.parse(body) as Export).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

function attribute(span: ExportedSpan, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (value?.arrayValue) return value.arrayValue.values.map((item) => item.stringValue);
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

const spanNamed = (name: string) => spans().find((span) => span.name === name);

describe("OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  let accessToken: string;
  let refreshToken: string;

  // Requests of several kinds, then a graceful stop, which must export every buffered span.
  beforeAll(async () => {
    ({ accessToken, refreshToken } = await server.as("ADMIN").session());
    await server.graphql(
      "query CatalogPage { products(first: 2) { totalCount } }",
      {},
      { authorization: `Bearer ${accessToken}`, traceparent: `00-${callerTrace}-${callerSpan}-01` },
    );
    await server.graphql('query BadCursor { products(after: "garbage") { totalCount } }');
    await server.graphql(
      "query Unsampled { categories { totalCount } }",
      {},
      {
        traceparent: `00-${unsampledTrace}-${hex(8)}-00`,
      },
    );
    await server.graphql("{ categories { totalCount } }");
    await server.graphql("query Broken {");
    await (await server.fetch("/healthz")).arrayBuffer();
    expect(exports).toEqual([]);
    await server.close();
  });

  it("exports OTLP JSON to <endpoint>/v1/traces, under the configured service name", () => {
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]?.contentType).toMatch(/^application\/json/);
    const resource = (JSON.parse(exports[0]?.body ?? "{}") as Export).resourceSpans[0]?.resource;
    expect(resource?.attributes).toContainEqual({
      key: "service.name",
      value: { stringValue: "catalog-under-test" },
    });
  });

  it("continues the caller's trace from traceparent, as a server span named after the operation", () => {
    const span = spanNamed("query CatalogPage");
    expect(span).toBeDefined();
    expect(span?.traceId).toBe(callerTrace);
    expect(span?.parentSpanId).toBe(callerSpan);
    expect(span?.kind).toBe(2); // SERVER
    expect(attribute(span as ExportedSpan, "graphql.operation.type")).toBe("query");
    expect(attribute(span as ExportedSpan, "graphql.operation.name")).toBe("CatalogPage");
    expect(attribute(span as ExportedSpan, "http.response.status_code")).toBe(200);
    expect(attribute(span as ExportedSpan, "catalog.request_id")).toMatch(/^[\w-]{36}$/);
    expect(span?.status?.code ?? 0).toBe(0); // UNSET
  });

  it("starts a new trace for a request without traceparent, and names an anonymous operation by its type", () => {
    const span = spanNamed("query");
    expect(span?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.traceId).not.toMatch(/^0+$/);
    expect(span?.parentSpanId ?? "").toBe("");
  });

  it("records the error codes of a refused request; a client's mistake does not mark the span failed", () => {
    const span = spanNamed("query BadCursor");
    expect(attribute(span as ExportedSpan, "graphql.error.codes")).toEqual(["BAD_USER_INPUT"]);
    expect(span?.status?.code ?? 0).toBe(0);
    // A syntax error never reaches execution: the span keeps its HTTP name and still has the code.
    const broken = spans().find(
      (candidate) =>
        attribute(candidate, "graphql.error.codes") !== undefined && candidate.name === "POST /graphql",
    );
    expect(attribute(broken as ExportedSpan, "graphql.error.codes")).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("honours the caller's decision not to sample", () => {
    expect(spans().filter((span) => span.traceId === unsampledTrace)).toEqual([]);
    expect(spanNamed("query Unsampled")).toBeUndefined();
  });

  it("traces only the GraphQL endpoint, not health checks", () => {
    expect(spans().map((span) => attribute(span, "url.path"))).not.toContain("/healthz");
  });

  it("records no credentials, passwords or query text", () => {
    const everything = exports.map(({ body }) => body).join("\n");
    expect(spanNamed("mutation")).toBeDefined(); // the log-in, whose variables held the password
    for (const secret of [accessToken, refreshToken, TEST_PASSWORD, "totalCount", "garbage"]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe("OpenTelemetry tracing with an unreachable collector", () => {
  // Port 1 on loopback: nothing listens, every export is refused.
  const unreachable = startTestServer({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1" });

  it("keeps answering requests and still stops cleanly", async () => {
    for (let i = 0; i < 3; i++) {
      const body = await unreachable.graphql("query Count { products { totalCount } }");
      expect(body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
    }
    await unreachable.close();
  });
});
