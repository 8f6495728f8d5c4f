import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type TextMapGetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Config } from "../config.ts";
import type { Context } from "../context.ts";
import { errorCodes } from "../errors.ts";

const headers: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/**
 * OpenTelemetry tracing, when an OTLP endpoint is configured: one server span per GraphQL request,
 * continuing the caller's trace from its `traceparent` header (and honouring its sampling flag),
 * named after the operation, with its type, name, error codes, HTTP status and request id (the
 * `requestId` of the log line). Nothing from the query text, variables or headers is recorded.
 *
 * The provider belongs to the app, not to the process (no global registration), so several apps
 * in one process never mix their spans; `close` exports what is still buffered.
 */
export function tracing(config: NonNullable<Config["tracing"]>, graphqlEndpoint: string) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": config.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        // Bounded, so an unreachable collector delays a graceful stop by seconds, not minutes.
        exporter: new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces`, timeoutMillis: 5_000 }),
      }),
    ],
  });
  const tracer = provider.getTracer("catalog-api");
  const propagator = new W3CTraceContextPropagator();
  const spans = new WeakMap<Request, { span: Span; codes: Set<string> }>();

  const plugin: Plugin<Context> = {
    onRequest({ request, url }) {
      // Health checks and metrics scrapes would drown the operations in spans.
      if (url.pathname !== graphqlEndpoint) return;
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headers);
      const span = tracer.startSpan(
        `${request.method} ${url.pathname}`,
        {
          kind: SpanKind.SERVER,
          attributes: { "http.request.method": request.method, "url.path": url.pathname },
        },
        parent,
      );
      spans.set(request, { span, codes: new Set() });
    },
    onExecute({ args }) {
      const entry = spans.get(args.contextValue.request);
      const operation = getOperationAST(args.document, args.operationName);
      if (!entry || !operation) return;
      const name = operation.name?.value;
      entry.span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
      entry.span.setAttribute("graphql.operation.type", operation.operation);
      if (name) entry.span.setAttribute("graphql.operation.name", name);
    },
    onResultProcess({ request, result }) {
      for (const code of errorCodes(result)) spans.get(request)?.codes.add(code);
    },
    onResponse({ request, response }) {
      const entry = spans.get(request);
      if (!entry) return;
      const { span, codes } = entry;
      span.setAttribute("http.response.status_code", response.status);
      span.setAttribute("catalog.request_id", response.headers.get("x-request-id") ?? "");
      if (codes.size > 0) span.setAttribute("graphql.error.codes", [...codes]);
      // As for HTTP server spans, a client's mistake (bad input, no permission) is not a failure of
      // this service; an unexpected error or a 5xx is.
      if (response.status >= 500 || codes.has("INTERNAL_SERVER_ERROR")) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
  return { plugin, close: () => provider.shutdown() };
}
