import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { redactUrl } from "./config.ts";
import type { DatabaseClient } from "./db/client.ts";

/**
 * What the server needs to answer: the database, always, and Redis when REDIS_URL is set. Startup
 * waits for them (untilAnswering), and /readyz reports each by name (readiness).
 */
export type Dependency = {
  /** Its key in the /readyz answer. */
  name: "database" | "redis";
  /** What the log calls it. */
  title: string;
  /** Where it is, for the log (no password). */
  where: string;
  /**
   * Without the database nothing can be answered. Without Redis the server still answers, each
   * process on its own: rate limits count in memory, change events stay in the process.
   */
  required: boolean;
  /** Resolves when it answers; rejects (within CHECK_TIMEOUT_MS) when it does not. */
  check(): Promise<void>;
  close(): Promise<void>;
};

/** Longest one check may take: a database that accepts no connection must not stall /readyz. */
const CHECK_TIMEOUT_MS = 2_000;
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

export function databaseDependency(prisma: DatabaseClient, databaseUrl: string): Dependency {
  return {
    name: "database",
    title: "the database",
    where: redactUrl(databaseUrl),
    required: true,
    check: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    // The app disconnects the client itself, after the requests in flight.
    close: async () => {},
  };
}

/**
 * A Redis connection of its own, only for these checks: with no offline queue, a PING fails at
 * once while Redis is unreachable instead of waiting for the reconnect.
 */
export function redisDependency(url: string): Dependency {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  // Without a listener, ioredis reports a lost connection as an unhandled error event.
  redis.on("error", () => {});
  return {
    name: "redis",
    title: "Redis",
    where: redactUrl(url),
    required: false,
    check: async () => {
      // The first check connects (and says why it could not); later ones find ioredis
      // reconnecting on its own while Redis is away.
      if (redis.status === "wait") await redis.connect();
      if (redis.status !== "ready") throw new Error(`not connected (${redis.status})`);
      await redis.ping();
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function withinCheckTimeout(dependency: Dependency): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([dependency.check(), timeout]).finally(() => clearTimeout(timer));
}

/** A dependency that did not answer before the startup deadline, and the server cannot do without. */
export class DependencyError extends Error {
  override name = "DependencyError";
}

/**
 * Waits until every dependency answers, trying again with a doubling pause (0.25 s up to 5 s) and
 * one log line per failed try. At the deadline, a required dependency that still does not answer
 * fails the start (DependencyError); Redis is then left to reconnect on its own, with a warning.
 * Answers the names of those that answered.
 */
export async function untilAnswering(
  dependencies: Dependency[],
  logger: Logger,
  timeoutMs: number,
): Promise<Set<Dependency["name"]>> {
  const deadline = Date.now() + timeoutMs;
  const answered = await Promise.all(
    dependencies.map(async (dependency) => {
      for (
        let attempt = 1, pause = FIRST_RETRY_MS;
        ;
        attempt += 1, pause = Math.min(pause * 2, LONGEST_RETRY_MS)
      ) {
        try {
          await withinCheckTimeout(dependency);
          if (attempt > 1)
            logger.info(`Connected to ${dependency.title} at ${dependency.where} (try ${attempt})`);
          return true;
        } catch (error) {
          // Prisma's messages start with where it was called; their last line says what failed.
          const reason = (error as Error).message.trim().split("\n").at(-1);
          if (Date.now() + pause > deadline) {
            const message = `No answer from ${dependency.title} at ${dependency.where} within ${timeoutMs / 1000} s (STARTUP_TIMEOUT_SECONDS): ${reason}`;
            if (dependency.required) throw new DependencyError(message);
            logger.warn(`${message}; starting without it, each process on its own until it answers`);
            return false;
          }
          logger.warn(
            `Waiting for ${dependency.title} at ${dependency.where} (try ${attempt}: ${reason}); next try in ${pause} ms`,
          );
          await sleep(pause);
        }
      }
    }),
  );
  return new Set(dependencies.filter((_, index) => answered[index]).map((dependency) => dependency.name));
}

/**
 * /readyz: ready while every required dependency answers. The body names each dependency, "ok" or
 * "unavailable", so an operator sees which one is missing; Redis missing leaves the process
 * ready (it answers, on its own), and says so.
 */
export async function readiness(dependencies: Dependency[]) {
  const results = await Promise.all(
    dependencies.map(async (dependency) => {
      const answers = await withinCheckTimeout(dependency).then(
        () => true,
        () => false,
      );
      return { dependency, answers };
    }),
  );
  return {
    ready: results.every(({ dependency, answers }) => answers || !dependency.required),
    status: Object.fromEntries(
      results.map(({ dependency, answers }) => [dependency.name, answers ? "ok" : "unavailable"]),
    ),
  };
}
