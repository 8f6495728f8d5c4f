import cluster from "node:cluster";
import type { Logger } from "pino";

/**
 * WEB_CONCURRENCY=N (N > 1): the process `npm start` runs becomes a supervisor that serves nothing
 * itself. It starts N workers, each the whole server (src/server.ts), sharing the port: Node's
 * cluster module accepts the connections and hands each to a worker in turn. Workers share nothing
 * in memory; what they must share (rate-limit counters, change events, the response cache) goes
 * through Redis when REDIS_URL is set (README, Running on several processes and machines).
 *
 * - A worker that dies is replaced after a second. A worker that keeps dying (a bad configuration,
 *   a database that never answers) is not replaced for ever: after MAX_DEATHS in DEATH_WINDOW_MS,
 *   the supervisor stops the rest and exits 1, so the process manager above sees the failure.
 * - SIGTERM or SIGINT: every worker gets SIGTERM and stops as a single server does (finishes its
 *   requests in flight, up to SHUTDOWN_TIMEOUT_SECONDS); once all have exited, so does the
 *   supervisor, with 0. A worker still running a few seconds past that timeout is killed.
 */

const RESTART_DELAY_MS = 1_000;
const MAX_DEATHS = 5;
const DEATH_WINDOW_MS = 60_000;
/** What a stopping worker gets beyond its own shutdown timeout before it is killed. */
const STOP_GRACE_MS = 5_000;

export function superviseWorkers(
  { count, port, shutdownTimeoutMs }: { count: number; port: number; shutdownTimeoutMs: number },
  logger: Logger,
) {
  let stopping = false;
  let exitCode = 0;
  const deaths: number[] = [];

  const running = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);

  function stopAll(reason: string) {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}: stopping ${running().length} workers`);
    for (const worker of running()) worker.process.kill("SIGTERM");
    setTimeout(() => {
      for (const worker of running()) {
        logger.error(`Worker ${worker.process.pid} did not stop in time: killing it`);
        worker.process.kill("SIGKILL");
      }
    }, shutdownTimeoutMs + STOP_GRACE_MS).unref();
  }

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (running().length === 0) process.exit(exitCode);
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && (deaths[0] as number) < now - DEATH_WINDOW_MS) deaths.shift();
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (deaths.length >= MAX_DEATHS) {
      logger.fatal(
        `Worker ${worker.process.pid} ${how}: ${deaths.length} workers died within a minute, giving up`,
      );
      exitCode = 1;
      stopAll("Workers keep dying");
      if (running().length === 0) process.exit(exitCode);
      return;
    }
    logger.error(`Worker ${worker.process.pid} ${how}: starting another`);
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, RESTART_DELAY_MS);
  });

  process.on("SIGTERM", () => stopAll("SIGTERM received"));
  process.on("SIGINT", () => stopAll("SIGINT received"));
  for (let i = 0; i < count; i++) cluster.fork();
  logger.info(`Starting ${count} workers (WEB_CONCURRENCY) to serve port ${port}`);
}
