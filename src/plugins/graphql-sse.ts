import { type ExecutionResult, GraphQLError, getOperationAST } from "graphql";
import { createHandler } from "graphql-sse/lib/use/fetch";
import { isAsyncIterable, type Plugin } from "graphql-yoga";

/**
 * The graphql-sse protocol's single-connection mode at `endpoint` (Yoga's own SSE, at the
 * GraphQL path, serves the distinct-connections mode). Each operation runs through every Yoga
 * plugin, as an HTTP request does; the plugins before this one have seen the request arrive.
 *
 * Written on graphql-sse's own handler rather than @graphql-yoga/plugin-graphql-sse, which lets
 * a refused operation (a syntax error, a broken limit) escape as a server fault (HTTP 500), and
 * takes a refused operation's `{ errors }` for something else.
 */
export function graphqlSse(endpoint: string): Plugin {
  let handler: (request: Request) => Promise<Response>;
  // What the HTTP server handed Yoga with each request (the socket, for the client's address).
  const serverContexts = new WeakMap<Request, object>();
  // graphql-sse recognises an answer by its `data` key. A refused operation, which never started,
  // has none; with `data: null` it reaches the client in the stream, where the client reads it
  // (a refusal as HTTP status, graphql-sse's own way, aborts the request before its body is read).
  const refused = (errors: readonly GraphQLError[]): ExecutionResult => ({ data: null, errors });
  return {
    onYogaInit({ yoga }) {
      handler = createHandler(
        {
          async onSubscribe(request, params) {
            const enveloped = yoga.getEnveloped({
              ...serverContexts.get(request.raw),
              request: request.raw,
              params,
            });
            let document: ReturnType<typeof enveloped.parse>;
            try {
              document = enveloped.parse(params.query);
              const errors = enveloped.validate(enveloped.schema, document);
              if (errors.length) return refused(errors);
            } catch (error) {
              // The operation limits refuse a document by throwing while it is parsed or validated.
              if (error instanceof GraphQLError) return refused([error]);
              throw error;
            }
            const args = {
              schema: enveloped.schema,
              document,
              contextValue: await enveloped.contextFactory(),
              variableValues: params.variables,
              operationName: params.operationName,
            };
            const isSubscription =
              getOperationAST(document, params.operationName)?.operation === "subscription";
            const result = await (isSubscription ? enveloped.subscribe(args) : enveloped.execute(args));
            // Refused by a plugin (say, for a refused token): no data either.
            return isAsyncIterable(result) || "data" in result ? result : refused(result.errors ?? []);
          },
        },
        yoga.fetchAPI,
      );
    },
    onRequest({ request, serverContext, endResponse }) {
      if (new URL(request.url).pathname !== endpoint) return;
      serverContexts.set(request, serverContext);
      return handler(request).then(endResponse);
    },
  };
}
