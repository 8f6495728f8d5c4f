import type { Redis } from "ioredis";

const READY_TIMEOUT_MS = 5_000;

/**
 * Resolves once a Redis connection is ready, or after a few seconds if Redis does not answer:
 * the app then starts anyway (rate limits fall back to memory; events wait for the reconnect).
 */
export function untilReady(client: Redis): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, READY_TIMEOUT_MS);
    client.once("ready", done);
  });
}
