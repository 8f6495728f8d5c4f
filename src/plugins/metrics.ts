import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, Registry } from "prom-client";
import type { Config } from "../config.ts";
import { finalCode } from "../errors.ts";

const METRICS_PATH = "/metrics";

type Scrape = { status: number; headers: Record<string, string>; body: string };

/**
 * Prometheus metrics at /metrics: request counts and durations (per phase and per HTTP request)
 * from Yoga's plugin, plus errors counted by their extensions.code. Each app has its own
 * registry, so several apps in one process (the tests) never share or clash on metrics.
 *
 * No label takes a value the client chooses freely: each distinct value adds series that are never
 * dropped, so a client could grow /metrics and the server's memory without end. Operation names
 * are labels only with trusted documents, where the manifest bounds them.
 *
 * Where they are served is configured (src/config.ts): on the public listener, or on a listener
 * of their own (METRICS_PORT), and behind a bearer token (METRICS_TOKEN) on either.
 */
export function metrics(
  settings: NonNullable<Config["http"]["metrics"]>,
  { operationNames }: { operationNames: boolean },
) {
  const registry = new Registry();
  const errorsByCode = new Counter({
    name: "graphql_errors_total",
    help: "GraphQL errors in responses, by extensions.code",
    labelNames: ["code"],
    registers: [registry],
  });
  const countErrors: Plugin = {
    onExecute: () => ({
      onExecuteDone({ result }) {
        if (!("errors" in result) || !result.errors) return;
        for (const error of result.errors as readonly GraphQLError[]) {
          // Yoga masks errors after this hook, so the code is read as masking will set it.
          errorsByCode.inc({ code: finalCode(error) });
        }
      },
    }),
  };
  // Compared as digests, so the comparison takes the same time whatever was sent.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  const expected = settings.token == null ? null : digest(`Bearer ${settings.token}`);
  /** The answer to a request for /metrics: the metrics, or 401 without the configured token. */
  const scrape = async (authorization: string | null): Promise<Scrape> => {
    if (expected && !timingSafeEqual(digest(authorization ?? ""), expected)) {
      return {
        status: 401,
        headers: { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' },
        body: "Unauthorized\n",
      };
    }
    return { status: 200, headers: { "content-type": registry.contentType }, body: await registry.metrics() };
  };
  const servePublicly: Plugin = {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH) return;
      return scrape(request.headers.get("authorization")).then(({ status, headers, body }) =>
        endResponse(new fetchAPI.Response(body, { status, headers })),
      );
    },
  };
  // url: the client's query string (even a password, in a GET); path: response keys, which
  // aliases choose.
  const labels = { url: false, path: false, operationName: operationNames };
  return {
    plugins: [
      usePrometheus({ endpoint: false, registry, labels }) as Plugin,
      countErrors,
      ...(settings.onPublicListener ? [servePublicly] : []),
    ],
    /**
     * The metrics' own listener (METRICS_PORT; 0 picks a free port), which answers /metrics only.
     * Nothing else is served there, so it can stay reachable by Prometheus alone.
     */
    async listen(port: number, host: string) {
      const server = createServer((request, response) => {
        const path = new URL(request.url ?? "/", "http://metrics").pathname;
        if (path !== METRICS_PATH || request.method !== "GET") {
          response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
          return;
        }
        void scrape(request.headers.authorization ?? null).then(({ status, headers, body }) => {
          response.writeHead(status, headers).end(body);
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, resolve);
      });
      return {
        port: (server.address() as AddressInfo).port,
        close: () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections();
          return closed;
        },
      };
    },
  };
}
