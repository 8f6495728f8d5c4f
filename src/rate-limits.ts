import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "./config.ts";
import { RateLimitedError } from "./errors.ts";
import { untilReady } from "./redis.ts";

/**
 * The app's rate limits, behind one small interface. Counters live in this process by default;
 * with REDIS_URL they live in Redis, so every process behind the load balancer shares them
 * (and if Redis stops answering, each process falls back to its own in-memory counters rather
 * than refusing or waving through all traffic).
 */
export type RateLimits = {
  /** Counts one unit against the key; RateLimitedError once the window's allowance is spent. */
  consume(kind: LimitKind, key: string): Promise<void>;
  /** RateLimitedError if the key's allowance is already spent; counts nothing. */
  check(kind: LimitKind, key: string): Promise<void>;
  /** Resolves once the shared store answers (or could not be reached within a few seconds). */
  ready(): Promise<void>;
  close(): Promise<void>;
};

export type LimitKind = "requests" | "mutations" | "authAttempts";

export function createRateLimits(config: Config["rateLimit"], shared: Config["redis"]): RateLimits {
  const allowances: Record<LimitKind, { points: number; duration: number }> = {
    requests: { points: config.requests, duration: config.windowSeconds },
    mutations: { points: config.mutations, duration: config.windowSeconds },
    authAttempts: { points: config.authAttempts, duration: config.authWindowSeconds },
  };
  const redis = shared.url
    ? new Redis(shared.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  // Without a listener, ioredis reports a lost connection as an unhandled error event.
  redis?.on("error", () => {});

  const limiters = Object.fromEntries(
    Object.entries(allowances).map(([kind, allowance]) => {
      const memory = new RateLimiterMemory({ ...allowance, keyPrefix: kind });
      const limiter = redis
        ? new RateLimiterRedis({
            ...allowance,
            storeClient: redis,
            keyPrefix: `${shared.keyPrefix}:rate:${kind}`,
            insuranceLimiter: memory,
          })
        : memory;
      return [kind, limiter];
    }),
  ) as Record<LimitKind, RateLimiterMemory | RateLimiterRedis>;

  const refuse = (result: RateLimiterRes): never => {
    throw new RateLimitedError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
  };

  return {
    async consume(kind, key) {
      try {
        await limiters[kind].consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) refuse(rejection);
        throw rejection;
      }
    },
    async check(kind, key) {
      const state = await limiters[kind].get(key);
      if (state && state.remainingPoints <= 0) refuse(state);
    },
    async ready() {
      // Start without Redis if it does not answer in time: the in-memory fallback still limits.
      if (redis) await untilReady(redis);
    },
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
