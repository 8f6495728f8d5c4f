import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub, type PubSubEventTarget } from "graphql-yoga";
import { Redis } from "ioredis";
import type { Config } from "../config.ts";
import type { ProductStatus } from "../generated/prisma/enums.ts";
import { untilReady } from "../redis.ts";

/**
 * Change events: what the services publish once a write has committed, and only then. A write
 * that fails or rolls back publishes nothing; each catalog mutation publishes exactly one event.
 *
 * Events name the entity by its database id (not its Relay global id: the API encodes that when
 * it shows one) and say what changed, never the new values: a subscriber reads the entity
 * through the API, where the reader's permissions and product visibility apply. Product events
 * also say where the product sits, before and after (its placement), so a subscription can tell
 * without a read whether the change concerns its subscriber at all. Every event is plain JSON,
 * so it survives the trip through Redis unchanged.
 */

/** The fields of the API's Product type a write can change. */
export type ProductField =
  | "sku"
  | "name"
  | "description"
  | "price"
  | "costPrice"
  | "stock"
  | "status"
  | "category";

/** What decides who may see a product, and which narrowed subscriptions it belongs to. */
export type ProductPlacement = { status: ProductStatus; categoryId: number | null };

export type ProductEvent =
  | { kind: "created"; productId: number; now: ProductPlacement }
  | {
      kind: "updated";
      productId: number;
      changed: ProductField[];
      was: ProductPlacement;
      now: ProductPlacement;
    }
  | { kind: "stockChanged"; productId: number; delta: number; stock: number; now: ProductPlacement }
  | { kind: "deleted"; productId: number; was: ProductPlacement };

/** The fields of the API's Category type a write can change. */
export type CategoryField = "name" | "slug" | "parent";

export type CategoryEvent =
  | { kind: "created"; categoryId: number }
  | { kind: "updated"; categoryId: number; changed: CategoryField[] }
  | { kind: "deleted"; categoryId: number };

/** Topics and their payloads: `events.subscribe("productChanged")` yields ProductEvents. */
export type CatalogEventMap = {
  productChanged: [event: ProductEvent];
  categoryChanged: [event: CategoryEvent];
};

export type CatalogEvents = PubSub<CatalogEventMap>;

export type EventBus = {
  events: CatalogEvents;
  /** How many listeners this process has on a topic: one per live subscription to it. */
  listenerCount(topic: keyof CatalogEventMap): number;
  /**
   * A topic's events, as `events.subscribe` yields them, for what listens as long as the app
   * runs (the response cache) rather than for a subscriber: not counted by listenerCount.
   */
  watch: CatalogEvents["subscribe"];
  /** Resolves once Redis answers (or could not be reached within a few seconds); at once in process. */
  ready(): Promise<void>;
  close(): Promise<void>;
};

/**
 * One app's events. In process by default: two apps never see each other's events. With
 * REDIS_URL, through Redis pub/sub (channels `<REDIS_KEY_PREFIX>:events:<topic>`), so an event
 * published by any process reaches the subscribers of every process using the same Redis and
 * prefix, this one included. Delivery is at most once: an event published while Redis is
 * unreachable is lost (and logged); the write it reports stands.
 */
export function createEventBus(redis: Config["redis"], onError: (error: unknown) => void): EventBus {
  if (!redis.url) {
    const inProcess = new EventTarget() as PubSubEventTarget<CatalogEventMap>;
    const { target, listenerCount } = countingListeners(inProcess);
    return {
      events: createPubSub<CatalogEventMap>({ eventTarget: target }),
      listenerCount,
      watch: createPubSub<CatalogEventMap>({ eventTarget: inProcess }).subscribe,
      ready: async () => {},
      close: async () => {},
    };
  }
  // A connection in subscriber mode can do nothing else, so publishing needs a second one.
  // The subscriber's commands wait for a reconnect rather than fail, and it resubscribes then.
  const publisher = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(redis.url, { maxRetriesPerRequest: null });
  // Without a listener, ioredis reports a lost connection as an unhandled error event.
  publisher.on("error", () => {});
  subscriber.on("error", () => {});
  const redisTarget = createRedisEventTarget<CustomEvent>({
    publishClient: reportingFailures(publisher, ["publish"], onError),
    subscribeClient: reportingFailures(subscriber, ["subscribe", "unsubscribe"], onError),
  });
  const channel = (topic: string) => `${redis.keyPrefix}:events:${topic}`;
  // The same topics as in process, each on a channel under the deployment's key prefix.
  const prefixed = {
    addEventListener: (topic: string, listener: EventListenerOrEventListenerObject | null) =>
      redisTarget.addEventListener(channel(topic), listener),
    removeEventListener: (topic: string, listener: EventListenerOrEventListenerObject | null) =>
      redisTarget.removeEventListener(channel(topic), listener),
    dispatchEvent: (event: Event) =>
      redisTarget.dispatchEvent(
        new CustomEvent(channel(event.type), { detail: (event as CustomEvent).detail }),
      ),
  } as PubSubEventTarget<CatalogEventMap>;
  const { target, listenerCount } = countingListeners(prefixed);
  const clients = [publisher, subscriber];
  return {
    events: createPubSub<CatalogEventMap>({ eventTarget: target }),
    listenerCount,
    watch: createPubSub<CatalogEventMap>({ eventTarget: prefixed }).subscribe,
    async ready() {
      await Promise.all(clients.map(untilReady));
    },
    async close() {
      // QUIT waits behind the commands queued for a connection that never came (the response
      // cache's subscriptions, with Redis down), for ever: such a client is just disconnected.
      await Promise.all(
        clients.map((client) =>
          client.status === "ready" ? client.quit().catch(() => client.disconnect()) : client.disconnect(),
        ),
      );
    },
  };
}

/** The event target, counting its listeners per topic (an EventTarget cannot be asked). */
function countingListeners(target: PubSubEventTarget<CatalogEventMap>) {
  const listeners = new Map<string, Set<unknown>>();
  const counting = {
    addEventListener(topic: string, listener: EventListenerOrEventListenerObject | null) {
      listeners.set(topic, (listeners.get(topic) ?? new Set()).add(listener));
      target.addEventListener(topic as keyof CatalogEventMap, listener as never);
    },
    removeEventListener(topic: string, listener: EventListenerOrEventListenerObject | null) {
      listeners.get(topic)?.delete(listener);
      target.removeEventListener(topic as keyof CatalogEventMap, listener as never);
    },
    dispatchEvent: (event: Event) => target.dispatchEvent(event as never),
  } as PubSubEventTarget<CatalogEventMap>;
  return {
    target: counting,
    listenerCount: (topic: keyof CatalogEventMap) => listeners.get(topic)?.size ?? 0,
  };
}

/**
 * The event target calls these commands without waiting for their answer. A failed one (Redis
 * down, or the connection closed by app shutdown) would be an unhandled rejection, which stops
 * the process; here it is reported instead.
 */
function reportingFailures(client: Redis, commands: string[], onError: (error: unknown) => void): Redis {
  return new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || !commands.includes(key) || typeof value !== "function") return value;
      return (...args: unknown[]) => (value.apply(target, args) as Promise<unknown>).catch(onError);
    },
  });
}
