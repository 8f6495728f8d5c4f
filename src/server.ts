// Entry point: config → app → listen, and a clean stop on SIGINT/SIGTERM. With WEB_CONCURRENCY
// above 1, this process supervises that many workers (src/workers.ts), each of which runs the rest.
import cluster from "node:cluster";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { DependencyError } from "./dependencies.ts";
import { createLogger } from "./plugins/logging.ts";
import { superviseWorkers } from "./workers.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

if (config.workers > 1 && cluster.isPrimary) {
  superviseWorkers(
    { count: config.workers, port: config.port, shutdownTimeoutMs: config.http.shutdownTimeoutMs },
    createLogger(config.logLevel),
  );
} else {
  await serve();
}

async function serve() {
  const app = await createApp(config);
  if (config.auth.secretKeyFile) {
    app.yoga.logger.warn(
      `SECRET_KEY is not set: signing with the development key kept in ${config.auth.secretKeyFile}, so sessions survive restarts. Production requires SECRET_KEY.`,
    );
  } else if (config.auth.secretKeyGenerated) {
    app.yoga.logger.warn(
      "SECRET_KEY is not set: using a random key for this process, so every token dies with it. Set SECRET_KEY (required in production).",
    );
  }
  let server: Awaited<ReturnType<typeof app.listen>>;
  try {
    server = await app.listen();
  } catch (error) {
    if (error instanceof DependencyError) {
      app.yoga.logger.error(error.message);
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    // The usual first-day failure (a server already running), said plainly instead of a stack trace.
    console.error(
      `Cannot listen on ${config.host}:${config.port}: the address is already in use (another server running?). Set PORT to use another port, e.g. PORT=${config.port + 1} npm run dev`,
    );
    process.exit(1);
  }
  app.yoga.logger.info(`GraphQL API ready at ${server.url}/graphql`);
  if (server.metricsUrl) {
    app.yoga.logger.info(`Prometheus metrics at ${server.metricsUrl}`);
  } else if (config.http.metrics && !config.http.metrics.onPublicListener) {
    app.yoga.logger.warn(
      "Metrics are not collected: in production /metrics is off the public port. Set METRICS_PORT (a listener of its own) or METRICS_TOKEN (a bearer token), or METRICS=false.",
    );
  }

  let stopping = false;
  async function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    app.yoga.logger.info(`${signal} received: finishing requests in flight, then stopping`);
    await server.close();
    process.exit(0);
  }
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
