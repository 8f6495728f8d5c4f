import type { ExecutionResult } from "graphql";
import { isAsyncIterable, type Plugin, Repeater } from "graphql-yoga";
import type { Config } from "../config.ts";
import type { Context, ServerContext } from "../context.ts";
import { AuthenticationError, TooManySubscriptionsError } from "../errors.ts";

/** A live subscription: whose, on which connection, and how to end it. */
type Live = { owner: string; connection: object | string; end(): void };

export type LiveSubscriptions = Plugin<Context> & {
  /** How many subscriptions are live in this app. */
  count(): number;
  /** Ends every live subscription, each stream completing as if its subscriber left (shutdown). */
  endAll(): void;
};

/**
 * Bounds on live subscriptions, whatever the transport (SSE, graphql-sse, WebSocket):
 * - at most `subscriptionsPerConnection` at once on one WebSocket or graphql-sse connection, and
 *   `subscriptionsPerUser` of one user (anonymous subscribers: of one client address), counted
 *   in this process; one more is refused with TOO_MANY_SUBSCRIPTIONS;
 * - none outlives the access token it started with: when that expires, the stream sends one
 *   UNAUTHENTICATED error and completes, and the client subscribes again with a fresh token;
 * - everything a subscription holds is released when its stream ends, however it ends (the
 *   client completes it or goes away, the token expires, the server shuts down).
 */
export function liveSubscriptions(limits: Config["limits"]): LiveSubscriptions {
  const live = new Set<Live>();
  const countWhere = (matches: (entry: Live) => boolean) => {
    let count = 0;
    for (const entry of live) if (matches(entry)) count += 1;
    return count;
  };
  return {
    count: () => live.size,
    endAll() {
      for (const entry of live) entry.end();
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Context & ServerContext;
      const entry: Live = {
        owner: context.user ? `user:${context.user.id}` : `address:${context.clientAddress}`,
        connection: connectionOf(context),
        end: () => {},
      };
      const refusal =
        countWhere((other) => other.connection === entry.connection) >= limits.subscriptionsPerConnection
          ? new TooManySubscriptionsError("connection", limits.subscriptionsPerConnection)
          : countWhere((other) => other.owner === entry.owner) >= limits.subscriptionsPerUser
            ? new TooManySubscriptionsError("user", limits.subscriptionsPerUser)
            : null;
      if (refusal) {
        setResultAndStopExecution({ errors: [refusal] });
        return;
      }
      // Counted from now, so subscriptions started at the same moment cannot all pass the check.
      live.add(entry);
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            live.delete(entry);
            return;
          }
          setResult(
            untilEnded(result, context.tokenExpiresAt, (end) => {
              entry.end = end;
              return () => live.delete(entry);
            }),
          );
        },
      };
    },
  };
}

/**
 * The connection a subscription came on: the WebSocket, the graphql-sse connection (its stream
 * token), or else the request itself (an SSE stream of Yoga's distinct-connections mode).
 */
function connectionOf(context: Context & ServerContext): object | string {
  if (context.connection) return context.connection;
  const { request } = context;
  const streamToken =
    request.headers.get("x-graphql-event-stream-token") ?? new URL(request.url).searchParams.get("token");
  return streamToken ? `graphql-sse:${streamToken}` : request;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The results of `source` until the subscriber leaves, `endAll` ends it, or the token expires
 * (then one UNAUTHENTICATED error first). `track` receives the function that ends it and answers
 * the one to call once it has ended. A Repeater, unlike an async generator, can be ended while it
 * waits for the next event, so an idle subscription is released at once.
 */
function untilEnded(
  source: AsyncIterable<ExecutionResult>,
  expiresAt: number | null,
  track: (end: () => void) => () => void,
): Repeater<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const released = track(() => stop());
    const iterator = source[Symbol.asyncIterator]();
    const expiry =
      expiresAt == null
        ? undefined
        : setTimeout(
            () => {
              void push({
                errors: [
                  new AuthenticationError("The access token has expired; subscribe again with a new one"),
                ],
              });
              stop();
            },
            Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS),
          );
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop.then(() => null)]);
        if (next === null || next.done) break;
        await push(next.value);
      }
    } finally {
      stop();
      clearTimeout(expiry);
      released();
      await iterator.return?.();
    }
  });
}
