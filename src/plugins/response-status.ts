import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * An answer that carries data is sent with status 200, as the GraphQL-over-HTTP specification
 * requires (a MUST under application/graphql-response+json). Yoga sends the gravest
 * `extensions.http.status` among the errors, so without this a field refused to an anonymous
 * caller (costPrice: UNAUTHENTICATED, 401) would turn a whole page of products into a 401, which
 * clients such as GraphiQL or urql treat as a failed request. An error that refuses the whole
 * operation comes without data (a refused token, a mutation that needs a user) and keeps its
 * status. The error itself, code and message, is sent unchanged.
 */
export function responseStatus(): Plugin {
  const withoutStatus = (error: GraphQLError) => {
    const { http, ...extensions } = error.extensions ?? {};
    if (!(http as { status?: number } | undefined)?.status) return error;
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    });
  };
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !("data" in result)) return;
      const { data, errors } = result as ExecutionResult;
      if (data == null || !errors?.length) return;
      setResult({ ...(result as ExecutionResult), errors: errors.map(withoutStatus) });
    },
  };
}
