import { useGraphQLSSE } from "@graphql-yoga/plugin-graphql-sse";
import type { ExecutionResult } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";

/**
 * The graphql-sse protocol's single-connection mode at `endpoint` (Yoga's own SSE at the GraphQL
 * path serves the distinct-connections mode). The handler runs each operation through every
 * plugin, as over HTTP.
 *
 * Returns two plugins: the first must come before any plugin that refuses an operation. The
 * graphql-sse handler recognises an answer only by its `data` key, and takes a refused operation's
 * `{ errors }` (no data: it never started) for something else, answering "Unable to detect
 * operation AST"; on its endpoint, such an answer gets `data: null`.
 */
export function graphqlSse(endpoint: string): { answersWithData: Plugin; handler: Plugin } {
  const onEndpoint = (request: Request) => new URL(request.url).pathname.endsWith(endpoint);
  const withData = (result: unknown, setResult: (result: ExecutionResult) => void) => {
    if (!isAsyncIterable(result) && !("data" in (result as ExecutionResult))) {
      setResult({ data: null, ...(result as ExecutionResult) });
    }
  };
  return {
    answersWithData: {
      onSubscribe({ args }) {
        if (!onEndpoint((args.contextValue as { request: Request }).request)) return;
        return { onSubscribeResult: ({ result, setResult }) => withData(result, setResult) };
      },
      onExecute({ args }) {
        if (!onEndpoint((args.contextValue as { request: Request }).request)) return;
        return { onExecuteDone: ({ result, setResult }) => withData(result, setResult) };
      },
    },
    handler: useGraphQLSSE({ endpoint }),
  };
}
