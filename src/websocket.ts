import type { IncomingMessage, Server } from "node:http";
import { type ExecutionArgs, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer } from "ws";
import type { Context, ServerContext } from "./context.ts";

/** What a client sends in connection_init: the credentials a browser WebSocket cannot put in headers. */
type ConnectionParams = { authorization?: unknown; Authorization?: unknown } | undefined;

type Enveloped = ReturnType<YogaServerInstance<ServerContext, Context>["getEnveloped"]>;

/**
 * GraphQL over WebSocket (the graphql-ws protocol) at the GraphQL path of `server`. Each operation
 * runs through Yoga's plugins like an HTTP request does: parsing and validation with the
 * operation limits, the context (authentication), the credential check, rate limits,
 * subscription limits, error masking. It is given a request of its own, carrying the connection's
 * credentials as an Authorization header, so everything that reads a request reads this one.
 * Credentials come in the connection_init payload, `{ "authorization": "Bearer <token>" }`
 * (a browser's WebSocket cannot set headers), else from the upgrade request's header.
 * graphql-ws pings every 12 s and drops a connection whose pong does not come back in time.
 */
export function serveWebSocket(
  server: Server,
  yoga: YogaServerInstance<ServerContext, Context>,
  options: { path: string; maxPayload: number; isProduction: boolean },
) {
  const sockets = new WebSocketServer({ server, path: options.path, maxPayload: options.maxPayload });
  const graphqlWs = useServer<ConnectionParams>(
    {
      // An unexpected failure closes the connection (4500); in production without its message.
      isProd: options.isProduction,
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (context, _id, payload) => {
        const request = operationRequest(context.extra.request, context.connectionParams, options.path);
        const enveloped = yoga.getEnveloped({
          request,
          req: context.extra.request,
          connection: context.extra.socket,
          params: payload,
        });
        let document: ExecutionArgs["document"];
        try {
          document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
        } catch (error) {
          // The operation limits refuse a document by throwing while it is parsed or validated.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          // Yoga's documented way to hand graphql-ws the enveloped execute and subscribe.
          rootValue: enveloped,
        };
      },
    },
    sockets,
  );
  return {
    /** Closes every WebSocket with 1001 (going away), ending its subscriptions. */
    close: () => graphqlWs.dispose(),
  };
}

/** The request an operation on the connection is run as. */
function operationRequest(upgrade: IncomingMessage, params: ConnectionParams, path: string): Request {
  const headers = new Headers();
  for (const name of ["user-agent", "origin", "x-forwarded-for", "x-request-id"]) {
    const value = upgrade.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  const authorization = params?.authorization ?? params?.Authorization ?? upgrade.headers.authorization;
  if (authorization !== undefined) headers.set("authorization", String(authorization));
  return new Request(new URL(path, "http://localhost"), { method: "POST", headers });
}
