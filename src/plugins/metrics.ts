import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, Registry } from "prom-client";

/**
 * Prometheus metrics at /metrics: request counts and durations (per phase and per HTTP request)
 * from Yoga's plugin, plus errors counted by their extensions.code. Each app has its own
 * registry, so several apps in one process (the tests) never share or clash on metrics.
 */
export function metrics(): Plugin[] {
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
          errorsByCode.inc({ code: String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
        }
      },
    }),
  };
  // No url label: a URL carries the client's query string (even passwords, in a GET), and every
  // distinct one would add a series that is never dropped.
  return [usePrometheus({ endpoint: "/metrics", registry, labels: { url: false } }) as Plugin, countErrors];
}
