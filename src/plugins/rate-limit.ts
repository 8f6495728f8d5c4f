import { type DocumentNode, type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { type Context, clientAddress, type ServerContext } from "../context.ts";
import { RateLimitedError } from "../errors.ts";
import type { RateLimits } from "../rate-limits.ts";

/**
 * Request-rate limits: every GraphQL request counts against the client's address (HTTP 429
 * before the body is parsed) and, once authenticated, against the user too, whatever address it
 * comes from; every mutation counts against the user, or the address when anonymous. Log-in and
 * sign-up attempts have their own limit, applied in those resolvers because it is keyed on the
 * email too. An operation that arrives on a WebSocket or graphql-sse connection, not as a request
 * of its own, counts as one request when it starts (a subscription once, not per event).
 */
export function rateLimiting(rateLimits: RateLimits, trustProxy: boolean): Plugin<Context> {
  const countedOnArrival = new WeakSet<Request>();
  const countOperation = async ({
    args,
    setResultAndStopExecution,
  }: {
    args: {
      contextValue: Context & { request: Request };
      document: DocumentNode;
      operationName?: string | null;
    };
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const context = args.contextValue;
    const user = context.user ? `user:${context.user.id}` : null;
    const isMutation = getOperationAST(args.document, args.operationName)?.operation === "mutation";
    try {
      if (!countedOnArrival.has(context.request)) {
        await rateLimits.consume("requests", context.clientAddress);
      }
      if (user) await rateLimits.consume("requests", user);
      if (isMutation) await rateLimits.consume("mutations", user ?? `address:${context.clientAddress}`);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      setResultAndStopExecution({ errors: [error] });
    }
  };
  return {
    // onRequestParse runs for every request Yoga answers as GraphQL, whatever its exact path
    // (/graphql/, /v1/graphql, ...), so no path variant escapes the count.
    async onRequestParse({ request, serverContext, endResponse, fetchAPI }) {
      try {
        await rateLimits.consume(
          "requests",
          clientAddress(request, serverContext as ServerContext, trustProxy),
        );
        countedOnArrival.add(request);
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        const { message, retryAfterSeconds, code } = error;
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message, extensions: { code, retryAfterSeconds } }] }),
            {
              status: 429,
              headers: { "content-type": "application/json", "retry-after": String(retryAfterSeconds) },
            },
          ),
        );
      }
    },
    onExecute: countOperation,
    onSubscribe: countOperation,
  };
}
