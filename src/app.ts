import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type Plugin, useReadinessCheck } from "graphql-yoga";
import type { Config } from "./config.ts";
import { authenticate, type Context, type ServerContext } from "./context.ts";
import { createPrisma, prepareDatabase } from "./db.ts";
import { schema } from "./schema/index.ts";

const requestIdPattern = /^[\w.-]{1,64}$/;

/**
 * The application factory: everything one running API needs, built from a Config and owned by
 * the returned app. Nothing is shared between two apps but the (stateless) schema.
 */
export function createApp(config: Config) {
  const prisma = createPrisma(config);
  const isProduction = config.environment === "production";
  const requestId = requestIds();

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    healthCheckEndpoint: "/healthz",
    landingPage: false,
    graphiql: isProduction ? false : { title: "Product catalog" },
    logging: config.logLevel === "silent" ? false : config.logLevel,
    // Unexpected errors become "Unexpected error." in production; development shows the cause.
    maskedErrors: { isDev: !isProduction },
    context: async ({ request }) => ({
      config,
      prisma,
      requestId: requestId.idOf(request),
      user: await authenticate(request, config, prisma),
    }),
    plugins: [
      useReadinessCheck({
        endpoint: "/readyz",
        check: async () => {
          try {
            await prisma.$queryRaw`SELECT 1`;
            return true;
          } catch {
            return false;
          }
        },
      }),
      requestId,
    ],
  });

  if (config.logLevel === "debug") {
    prisma.$on("query", (event) => yoga.logger.debug(`SQL ${event.duration}ms ${event.query}`));
  }

  /** Serves the app over HTTP; port 0 picks a free port (tests). */
  async function listen(port = config.port, host = config.host) {
    await prepareDatabase(prisma);
    const server = createServer(yoga);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    const address = server.address() as AddressInfo;
    const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
    return {
      url: `http://${shownHost}:${address.port}`,
      /** Stops accepting connections, lets requests in flight finish, then closes the database. */
      async close() {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        await prisma.$disconnect();
      },
    };
  }

  return { config, prisma, yoga, listen };
}

export type App = ReturnType<typeof createApp>;

/**
 * Each request's id: a well-formed X-Request-Id from a proxy is kept so logs line up across hops,
 * anything else gets a fresh one. The response carries it back, so a client can quote it.
 */
function requestIds(): Plugin & { idOf(request: Request): string } {
  const ids = new WeakMap<Request, string>();
  const idOf = (request: Request) => {
    let id = ids.get(request);
    if (!id) {
      const incoming = request.headers.get("x-request-id");
      id = incoming && requestIdPattern.test(incoming) ? incoming : randomUUID();
      ids.set(request, id);
    }
    return id;
  };
  return {
    idOf,
    onResponse({ request, response }) {
      response.headers.set("x-request-id", idOf(request));
    },
  };
}
