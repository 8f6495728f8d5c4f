import { setTimeout as sleep } from "node:timers/promises";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import { WebSocket } from "ws";
import type { GraphQLResponse, TestServer } from "./server.ts";

/**
 * Subscriptions through the real client libraries, over each transport the server offers:
 * Yoga's own SSE (graphql-sse's distinct-connections mode, at /graphql), graphql-sse's
 * single-connection mode (/graphql/stream), and graphql-ws over a WebSocket (/graphql).
 */
export const transports = ["SSE", "graphql-sse single connection", "WebSocket"] as const;
export type Transport = (typeof transports)[number];

export type Subscription = {
  /** Every result received so far, in order. */
  received: GraphQLResponse[];
  /** Waits until `count` results have arrived (or the stream ended); answers them all. */
  results(count: number): Promise<GraphQLResponse[]>;
  /** Settles when the stream ends: with how (completed, or the client's error). */
  ended: Promise<{ completed: true } | { error: unknown }>;
  /** Ends the subscription and closes its client. */
  stop(): Promise<void>;
};

type Options = { token?: string | null; variables?: Record<string, unknown> };

/** A client of the transport; one connection serves every subscription made through it. */
export function connect(server: { url: string }, transport: Transport, token?: string | null) {
  const authorization = token ? `Bearer ${token}` : undefined;
  if (transport === "WebSocket") {
    const client = createWsClient({
      url: `${server.url.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 0,
      lazy: true,
    });
    return { iterate: client.iterate.bind(client), dispose: () => client.dispose() };
  }
  const single = transport === "graphql-sse single connection";
  const client = createSseClient({
    url: `${server.url}${single ? "/graphql/stream" : "/graphql"}`,
    singleConnection: single,
    headers: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });
  return { iterate: client.iterate.bind(client), dispose: () => client.dispose() };
}

export type Connection = ReturnType<typeof connect>;

/** Starts one subscription on `connection` and collects what it receives. */
export function subscribeOn(connection: Connection, query: string, variables?: Record<string, unknown>) {
  const received: GraphQLResponse[] = [];
  const iterator = connection.iterate({ query, variables }) as AsyncIterableIterator<GraphQLResponse>;
  let wake = () => {};
  const ended = (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return { completed: true } as const;
        received.push(next.value);
        wake();
      }
    } catch (error) {
      return { error };
    } finally {
      wake();
    }
  })();
  let over = false;
  void ended.then(() => {
    over = true;
  });
  const subscription: Subscription = {
    received,
    async results(count) {
      const deadline = Date.now() + 5_000;
      while (received.length < count && !over && Date.now() < deadline) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(100)]);
      }
      return received;
    },
    ended,
    async stop() {
      // (graphql-sse's client throws when asked to end a stream that has ended.)
      if (!over) await iterator.return?.();
      await ended;
    },
  };
  return subscription;
}

/** One subscription on a connection of its own; stop() closes both. */
export function subscribe(
  server: { url: string },
  transport: Transport,
  query: string,
  options: Options = {},
) {
  const connection = connect(server, transport, options.token);
  const subscription = subscribeOn(connection, query, options.variables);
  return {
    ...subscription,
    async stop() {
      await subscription.stop();
      // graphql-sse's client rejects with AbortError when disposed after its only stream was
      // refused; what the stream received (or why it failed) is in `received` and `ended`.
      try {
        await connection.dispose();
      } catch {}
    },
  };
}

/** Waits until `condition` holds, polling; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/** Waits until the app has at least `count` listeners on the topic: the subscriptions have started. */
export async function untilListening(
  server: TestServer,
  topic: "productChanged" | "categoryChanged",
  count: number,
) {
  await until(() => server.app.eventBus.listenerCount(topic) >= count, `${count} listen to ${topic}`);
}

/**
 * The errors a refused subscription is answered with, as the transport's client receives them:
 * in the stream, in graphql-ws's error message, or in the HTTP response graphql-sse's client
 * rejects with (Yoga answers a refused request with its HTTP status, JSON or events).
 */
export async function refusalErrors(
  server: { url: string },
  transport: Transport,
  query: string,
  options: Options = {},
): Promise<NonNullable<GraphQLResponse["errors"]>> {
  const subscription = subscribe(server, transport, query, options);
  // Read before the client is disposed, which aborts the refused response's body.
  const outcome = await subscription.ended;
  const failure = "error" in outcome ? await errorsOf(outcome.error) : [];
  await subscription.stop();
  return [...subscription.received.flatMap((result) => result.errors ?? []), ...failure];
}

/** The error codes of refusalErrors. */
export async function refusalCodes(...args: Parameters<typeof refusalErrors>): Promise<unknown[]> {
  return (await refusalErrors(...args)).map((error) => error.extensions?.code);
}

async function errorsOf(error: unknown): Promise<NonNullable<GraphQLResponse["errors"]>> {
  if (Array.isArray(error)) return error;
  const response = (error as { response?: Response }).response;
  if (!response || response.bodyUsed) return [];
  const text = await response.text();
  const answers = text.trimStart().startsWith("{")
    ? [text]
    : [...text.matchAll(/^data: (.*)$/gm)].map((match) => match[1] as string);
  return answers.flatMap((answer) => (JSON.parse(answer) as GraphQLResponse).errors ?? []);
}
