import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import compression from "compression";
import { type ExecutionResult, GraphQLError } from "graphql";
import { createYoga, type Plugin, useReadinessCheck } from "graphql-yoga";
import type { Config } from "./config.ts";
import { authenticate, type Context, clientAddress, type ServerContext } from "./context.ts";
import { createPrisma, prepareDatabase } from "./db/client.ts";
import { databaseDependency, readiness, redisDependency, untilAnswering } from "./dependencies.ts";
import { maskError } from "./errors.ts";
import { refuseBadCredentials } from "./plugins/credentials.ts";
import { crossSiteRequestPrevention } from "./plugins/cross-site-requests.ts";
import { graphqlSse } from "./plugins/graphql-sse.ts";
import { createLogger, requestLogging, yogaLogger } from "./plugins/logging.ts";
import { metrics } from "./plugins/metrics.ts";
import { operationLimits } from "./plugins/operation-limits.ts";
import { rateLimiting } from "./plugins/rate-limit.ts";
import { requestHygiene } from "./plugins/request-hygiene.ts";
import { responseCaching } from "./plugins/response-cache.ts";
import { responseStatus } from "./plugins/response-status.ts";
import { restApi } from "./plugins/rest.ts";
import { liveSubscriptions } from "./plugins/subscriptions.ts";
import { createRateLimits } from "./rate-limits.ts";
import { schema as catalogSchema } from "./schema/index.ts";
import { createEventBus } from "./services/events.ts";
import { serveWebSocket } from "./websocket.ts";

const GRAPHQL_ENDPOINT = "/graphql";
const GRAPHQL_SSE_ENDPOINT = "/graphql/stream";

/**
 * GraphiQL (where introspection is on) opens on a query that runs against any catalog. Headers
 * typed into it, such as an Authorization token, are not saved in the browser unless the user
 * turns on "Persist headers" in its settings: Yoga's GraphiQL saves them by default (it passes
 * `true`); null restores GraphiQL's own rule, off until the user opts in, the choice remembered.
 * (`false` would hide the setting, so nobody could opt in.)
 */
const graphiqlOptions = {
  title: "Product catalog",
  defaultQuery: `# Welcome to the product catalog API. Run this query with the ▶ button (Ctrl-Enter);
# the Docs pane lists everything the API offers.
#
# To act as a user, run the logIn mutation and put its accessToken in the Headers tab:
#   { "Authorization": "Bearer <accessToken>" }
# Headers are not saved in this browser unless you turn on "Persist headers" in the settings.

query Catalog {
  products(first: 10, orderBy: { field: NAME, direction: ASC }) {
    totalCount
    edges {
      node {
        id
        sku
        name
        price {
          amount
          currency
        }
        stock
        category {
          name
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  categories(topLevelOnly: true) {
    edges {
      node {
        name
        slug
      }
    }
  }
}
`,
  shouldPersistHeaders: null as unknown as undefined,
};

/**
 * Compresses what the HTTP server sends (br or gzip, as the client's Accept-Encoding allows;
 * Vary: Accept-Encoding) once it is over 1 KB: GraphiQL's page (about 9 MB, about 2 MB
 * compressed) and large JSON answers. Never a stream that must reach the client as it is
 * written: server-sent events (subscriptions on /graphql and /graphql/stream) and
 * multipart/mixed (incremental delivery); compressed, they would wait in the compressor's buffer.
 * (Yoga also marks its event streams `Content-Encoding: none`, which compression leaves alone; the
 * filter does not rely on that.) compression works on any Node HTTP server; its types name
 * Express's request and response.
 */
const compress = compression({
  filter: (request, response) =>
    !/^(text\/event-stream|multipart\/mixed)\b/i.test(String(response.getHeader("content-type") ?? "")) &&
    compression.filter(request, response),
}) as unknown as (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * The application factory: everything one running API needs, built from a Config and owned by
 * the returned app. Nothing is shared between two apps but the (stateless) schema. `schema` is the
 * API with its permission rules; another is served only to measure what those rules cost (bench/).
 */
export async function createApp(config: Config, { schema = catalogSchema } = {}) {
  const prisma = createPrisma(config);
  const logger = createLogger(config.logLevel);
  const rateLimits = createRateLimits(config.rateLimit, config.redis);
  const eventBus = createEventBus(config.redis, (error) =>
    logger.warn({ err: error }, "A change event could not go through Redis"),
  );
  const { events } = eventBus;
  const isProduction = config.environment === "production";
  const requestId = requestIds();
  const subscriptions = liveSubscriptions(config.limits);
  const responseCache = responseCaching(config, { eventBus, graphqlEndpoint: GRAPHQL_ENDPOINT });
  // OpenTelemetry's packages cost about 20 MB of memory once imported: only where traces are sent.
  const tracer = config.tracing
    ? (await import("./plugins/tracing.ts")).tracing(config.tracing, GRAPHQL_ENDPOINT)
    : null;
  // Collected only where they can be read: in production with neither METRICS_PORT nor
  // METRICS_TOKEN nobody can scrape them, and collecting costs about a sixth of a cheap request's
  // CPU time (README, Performance).
  const metricSettings = config.http.metrics;
  const metricsEndpoint =
    metricSettings && (metricSettings.port != null || metricSettings.onPublicListener)
      ? metrics(metricSettings, { operationNames: config.limits.trustedDocuments != null })
      : null;
  const dependencies = [
    databaseDependency(prisma, config.databaseUrl),
    ...(config.redis.url ? [redisDependency(config.redis.url)] : []),
  ];
  // Turns false as soon as shutdown begins, so load balancers stop sending new work.
  let accepting = true;

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: "/healthz",
    landingPage: false,
    // GraphiQL needs introspection; it is served where introspection is on. Its scripts and
    // styles are served from this package, not a CDN, so it works offline and air-gapped. The
    // package holds the whole page (about 9 MB) and costs about 45 MB of memory once imported:
    // imported when the page is first asked for, so a production server without it never pays.
    graphiql: config.limits.introspection ? graphiqlOptions : false,
    renderGraphiQL: async (options) =>
      (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(options),
    // The schema takes no file upload, so a multipart body is refused (415) rather than parsed
    // into variables, where a file would only be an object the resolvers never expect.
    multipart: false,
    logging: yogaLogger(logger),
    // Unexpected errors become "Unexpected error." in production; development shows the cause.
    maskedErrors: { isDev: !isProduction, maskError },
    // Off: the HTTP server refuses a body over MAX_BODY_BYTES before Yoga sees it (bodyTooLarge),
    // and Yoga's own check re-streams every body through a TransformStream and a new Request,
    // about a quarter of a cheap request's CPU time (README, Performance).
    maxRequestBodySize: false,
    cors: corsOptions(config.http.corsOrigins),
    context: async (initial) => ({
      config,
      prisma,
      requestId: requestId.idOf(initial.request),
      ...(await authenticate(initial.request, config, prisma)),
      clientAddress: clientAddress(initial.request, initial, config.http.trustProxy),
      rateLimits,
      events,
    }),
    plugins: [
      requestId,
      // An answer with data is a 200, whatever status its field errors ask for.
      responseStatus(),
      ...(tracer ? [tracer.plugin] : []),
      requestLogging(logger),
      useReadinessCheck({
        endpoint: "/readyz",
        // 200 or 503, with each dependency by name: {"status":"ready","database":"ok","redis":"ok"}.
        check: async ({ fetchAPI }) => {
          const { ready, status } = await readiness(dependencies);
          const state = !accepting ? "stopping" : ready ? "ready" : "not ready";
          return fetchAPI.Response.json(
            { status: state, ...status },
            { status: state === "ready" ? 200 : 503 },
          );
        },
      }),
      // A POST a browser could send cross-site without a CORS preflight (a form post) must carry
      // the x-graphql-yoga-csrf header; plain GET queries are allowed (see the plugin for why).
      crossSiteRequestPrevention(),
      refuseBadCredentials(),
      rateLimiting(rateLimits, config.http.trustProxy),
      ...operationLimits(config.limits),
      // After the limits, so its parse guard wraps the token-limited parser.
      requestHygiene(),
      ...(metricsEndpoint?.plugins ?? []),
      // After every plugin that may refuse an operation (a bad token, rate limits, limits): a
      // cached answer is served in place of execution, once their onExecute hooks let it run.
      responseCache,
      // After every check that may refuse a subscription, so only subscriptions that start count.
      subscriptions,
      // REST at /api (SOFA): runs each route's operation through the plugins above.
      restApi(),
      // Last: it answers its endpoint's requests itself, after the plugins above saw them arrive.
      graphqlSse(GRAPHQL_SSE_ENDPOINT),
    ],
  });

  if (config.logLevel === "debug") {
    prisma.$on("query", (event) => logger.debug({ durationMs: event.duration, sql: event.query }, "SQL"));
  }

  /** Serves the app over HTTP; port 0 picks a free port (tests). */
  async function listen(port = config.port, host = config.host) {
    const answering = await untilAnswering(dependencies, logger, config.startupTimeoutMs);
    await prepareDatabase(prisma, config);
    if (answering.has("redis")) {
      // Counted before their connections are ready, requests would only reach this process's
      // fallback counters, and events published then would reach no other process.
      await rateLimits.ready();
      await eventBus.ready();
    }
    const timeout = config.http.requestTimeoutMs;
    // Slow clients (a trickle of headers or body) are answered 408 and cut off after the request
    // timeout instead of holding a socket for Node's default five minutes. Node checks for them
    // at this interval, so it must not be much longer than the timeout.
    const timeouts = {
      requestTimeout: timeout,
      headersTimeout: timeout,
      connectionsCheckingInterval: Math.min(1_000, timeout),
    };
    const server = createServer(timeouts, (request, response) => {
      if (!accepting) {
        // A new request on a kept-alive connection after shutdown began: refuse it and close.
        response.writeHead(503, { connection: "close", "retry-after": "1" }).end();
        return;
      }
      // A connection whose request was in flight when shutdown began closes once it is answered.
      response.on("finish", () => {
        if (!accepting) request.socket.end();
      });
      if (badHost(request, response)) return;
      if (bodyTooLarge(request, response, config.http.maxBodyBytes)) return;
      compress(request, response, () => void yoga(request, response));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    const webSocket = serveWebSocket(server, yoga, {
      path: GRAPHQL_ENDPOINT,
      maxPayload: config.http.maxBodyBytes,
      isProduction,
    });
    const metricsPort = config.http.metrics?.port;
    const metricsListener =
      metricsEndpoint && metricsPort != null ? await metricsEndpoint.listen(metricsPort, host) : null;
    const address = server.address() as AddressInfo;
    const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
    return {
      url: `http://${shownHost}:${address.port}`,
      /** Where the metrics' own listener (METRICS_PORT) serves /metrics; null without one. */
      metricsUrl: metricsListener ? `http://${shownHost}:${metricsListener.port}/metrics` : null,
      /**
       * Graceful stop: readiness turns false, new connections are refused, live subscriptions
       * end (WebSockets close with 1001, streams complete), requests in flight get up to
       * SHUTDOWN_TIMEOUT_SECONDS to finish, then the database and Redis are closed and the last
       * spans exported.
       */
      async close() {
        accepting = false;
        await webSocket.close();
        subscriptions.endAll();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = setTimeout(() => server.closeAllConnections(), config.http.shutdownTimeoutMs);
        await closed;
        clearTimeout(deadline);
        await prisma.$disconnect();
        await Promise.all(dependencies.map((dependency) => dependency.close()));
        await rateLimits.close();
        await responseCache.close();
        await eventBus.close();
        // Last but the spans, so a scrape during shutdown still sees the requests finishing.
        await metricsListener?.close();
        // Spans are best effort: a collector that is down must not turn a clean stop into a crash.
        await tracer
          ?.close()
          .catch((error) => logger.warn({ err: error }, "Could not export the last spans"));
      },
    };
  }

  return { config, prisma, events, eventBus, subscriptions, yoga, logger, listen };
}

export type App = Awaited<ReturnType<typeof createApp>>;

/**
 * Yoga builds each request's URL from the Host header and the request target, and answers 500
 * with a stack trace when they make no URL ("Host: [::1", "Host: x:99999", "Host: a b"). Such a
 * request is refused here with 400, before Yoga sees it.
 */
function badHost(request: IncomingMessage, response: ServerResponse): boolean {
  if (URL.canParse(`http://${request.headers.host ?? "localhost"}${request.url}`)) return false;
  response.writeHead(400, { "content-type": "application/json" });
  response.end(
    JSON.stringify({ errors: [{ message: "The Host header or the request target is not valid" }] }),
  );
  request.resume();
  return true;
}

/**
 * Refuses a body over the limit with 413 before Yoga reads it: at once when Content-Length says
 * so, or as soon as a streamed (chunked) body grows past it.
 */
function bodyTooLarge(request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
  const refuse = () => {
    response.writeHead(413, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify({ errors: [{ message: `Request body is larger than ${maxBytes} bytes` }] }));
  };
  const declared = Number(request.headers["content-length"]);
  if (declared > maxBytes) {
    refuse();
    request.resume();
    return true;
  }
  // Counted as the body is read, whoever reads it (Yoga, or the graphql-sse handler) and however
  // (flowing or not): every chunk read is emitted as "data". A "data" listener of our own would
  // start the flow before anyone reads, and pausing the stream first stalls readers that rely
  // on "data" events.
  let received = 0;
  const emit = request.emit.bind(request);
  request.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "data") {
      received += (args[0] as Buffer).length;
      if (received > maxBytes) {
        if (!response.headersSent) refuse();
        request.destroy();
        return false;
      }
    }
    return emit(event, ...args);
  }) as typeof request.emit;
  return false;
}

/** CORS from the configured allow-list: "*" allows any origin, an empty list none (same-origin). */
function corsOptions(origins: string[]) {
  if (origins.includes("*")) return { origin: "*" };
  if (origins.length === 0) return false;
  return { origin: origins, credentials: true };
}

/**
 * Each request's id: a well-formed X-Request-Id from a proxy is kept so logs line up across hops,
 * anything else gets a fresh one. The response carries it back, so a client can quote it.
 */
function requestIds(): Plugin & { idOf(request: Request): string } {
  const isMasked = (error: GraphQLError) => error.extensions?.code === "INTERNAL_SERVER_ERROR";
  const ids = new WeakMap<Request, string>();
  const idOf = (request: Request) => {
    let id = ids.get(request);
    if (!id) {
      const incoming = request.headers.get("x-request-id");
      id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
      ids.set(request, id);
    }
    return id;
  };
  return {
    idOf,
    // Whatever stage failed (parsing, the context, execution), a masked error names the request,
    // so a client can quote the id of the server's log line.
    onResultProcess({ request, result, setResult }) {
      if (!(Array.isArray(result) || "errors" in result)) return;
      const withId = (error: GraphQLError) =>
        isMasked(error)
          ? new GraphQLError(error.message, {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              path: error.path,
              extensions: { ...error.extensions, requestId: idOf(request) },
            })
          : error;
      const tagged = (one: ExecutionResult): ExecutionResult =>
        one.errors ? { ...one, errors: one.errors.map(withId) } : one;
      setResult(Array.isArray(result) ? result.map(tagged) : tagged(result as ExecutionResult));
    },
    onResponse({ request, response }) {
      response.headers.set("x-request-id", idOf(request));
    },
  };
}
