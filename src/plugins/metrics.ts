import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, Registry } from "prom-client";
import { finalCode } from "../errors.ts";

/**
 * Prometheus metrics at /metrics: request counts and durations (per phase and per HTTP request)
 * from Yoga's plugin, plus errors counted by their extensions.code. Each app has its own
 * registry, so several apps in one process (the tests) never share or clash on metrics.
 *
 * No label takes a value the client chooses freely: each distinct value adds series that are never
 * dropped, so a client could grow /metrics and the server's memory without end. Operation names
 * are labels only with trusted documents, where the manifest bounds them.
 */
export function metrics({ operationNames }: { operationNames: boolean }): Plugin[] {
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
  // url: the client's query string (even a password, in a GET); path: response keys, which
  // aliases choose.
  const labels = { url: false, path: false, operationName: operationNames };
  return [usePrometheus({ endpoint: "/metrics", registry, labels }) as Plugin, countErrors];
}
