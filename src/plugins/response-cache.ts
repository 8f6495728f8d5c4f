import { hash, randomUUID } from "node:crypto";
import { type Cache, createInMemoryCache, useResponseCache } from "@envelop/response-cache";
import type { ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Redis } from "ioredis";
import type { Config } from "../config.ts";
import type { Context, ServerContext } from "../context.ts";
import type { CatalogEventMap, CatalogEvents, EventBus } from "../services/events.ts";

export type ResponseCache = Plugin<Context> & {
  /** Stops listening to the change events and closes the Redis connection, if any. */
  close(): Promise<void>;
};

/**
 * Never cached, whoever asks: answers about one account. The plugin's PRIVATE scope would not do,
 * since it only applies without a session, and the session here is the role, shared by many users.
 * A TTL of 0 keeps the whole answer out of the cache as soon as one of these appears in it
 * (a field of the document, or an object of the type anywhere in the answer, e.g. through node()).
 */
const NEVER_CACHED = {
  "Query.me": 0,
  "Query.users": 0,
  User: 0,
  UserConnection: 0,
  UserEdge: 0,
  AuthPayload: 0,
};

const TOPICS: (keyof CatalogEventMap)[] = ["productChanged", "categoryChanged"];

/**
 * Query answers cached per role (anonymous, CUSTOMER, STAFF, ADMIN: what a role may see is all that
 * varies between callers of a catalog read), for config.responseCache.ttlSeconds at most.
 *
 * Invalidation: every change event (services/events.ts) drops every cached answer. A finer scheme
 * (by entity) cannot be exact here: a created product enters lists that held nothing of it, a
 * moved category changes which products `products(filter: {categoryId, includeSubcategories})`
 * matches without any product event, a renamed category changes every product answer showing its
 * name, and totalCount counts what no answer lists. So the cache has a generation, part of every
 * key; an event moves it on, and every answer cached before is never read again (it expires).
 * The generation is read once per operation, before it runs: an answer computed from
 * data read before a change is filed under the old generation, however late it is stored, so
 * no stale answer can outlive the event.
 *
 * The events arrive from every process sharing Redis (and from scripts such as the seed), so a
 * change anywhere reaches this cache. A change made by this process's own request moves the
 * generation before that request is answered (rather than when its event comes back from Redis),
 * so the client that wrote reads its write.
 *
 * With Redis the answers and the generation live there (keys `<REDIS_KEY_PREFIX>:response-cache:…`),
 * shared by every process; otherwise in this process's memory (at most 1000 answers).
 * If Redis fails, requests run uncached; a generation that could not be moved keeps this
 * process from using the cache until moving it succeeds.
 */
export function responseCaching(
  config: Config,
  { eventBus, graphqlEndpoint }: { eventBus: EventBus; graphqlEndpoint: string },
): ResponseCache {
  const settings = config.responseCache;
  if (!settings) return { close: async () => {} };
  const store = config.redis.url
    ? redisStore(config.redis.url, `${config.redis.keyPrefix}:response-cache`)
    : memoryStore();

  const listening = TOPICS.map((topic) => {
    const stream = eventBus.watch(topic);
    void (async () => {
      for await (const _event of stream) await store.invalidate();
    })();
    return stream;
  });

  // Envelop's plugin, not Yoga's wrapper of it: the wrapper answers from the cache as soon as the
  // request's parameters are read, before the context, validation and every plugin's onExecute,
  // so a cached answer would skip the per-user rate limit, the refusal of a bad token, validation
  // (introspection off) and the operation's log line. Envelop's answers in execution, after them.
  const plugin = useResponseCache<Context & ServerContext>({
    ttl: settings.ttlSeconds * 1000,
    ttlPerSchemaCoordinate: NEVER_CACHED,
    cache: store.cache,
    // Who sees what: the role, never the user (an answer for STAFF serves every staff member).
    session: (context) => context.user?.role ?? "anonymous",
    async buildResponseCacheKey(parameters) {
      const generation = await store.generation();
      // Unknown (Redis failing): a key no other request has, so nothing is read, and what is
      // stored is never read either.
      const prefix = generation ?? `none-${randomUUID()}`;
      // What the plugin's default key hashes, hashed by node:crypto at once: the default goes
      // through WebCrypto's asynchronous digest, about 4.5 % of a cheap request's CPU time. Plain
      // JSON.stringify for the variables: the same variables in another key order only miss.
      const { documentString, operationName, variableValues, sessionId } = parameters;
      const operation = JSON.stringify([documentString, operationName, variableValues, sessionId]);
      return `${prefix}:${hash("sha256", operation)}`;
    },
    // Only operations sent to the GraphQL endpoint (HTTP or WebSocket), not REST: its routes put
    // the path's id into the variables after the key is made. A refused token fails the request
    // before it runs; it never gets a cached answer either.
    enabled: (context) =>
      context.credentialsError == null &&
      context.request != null &&
      new URL(context.request.url).pathname === graphqlEndpoint,
    // Left on because it is what keeps mutation results out of the cache; the invalidations it
    // asks for are ignored (see the stores): change events are the one way answers are dropped.
    invalidateViaMutation: true,
    includeExtensionMetadata: false,
  });

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(plugin as Plugin<Context>);
    },
    // A write's event moves the generation before the write's own answer is sent.
    onExecute({ args }) {
      const context = args.contextValue;
      const published = context.events;
      const moving: Promise<void>[] = [];
      context.events = {
        subscribe: published.subscribe,
        publish: ((...event: unknown[]) => {
          moving.push(store.invalidate());
          (published.publish as (...event: unknown[]) => void)(...event);
        }) as CatalogEvents["publish"],
      };
      return {
        async onExecuteDone() {
          await Promise.all(moving);
        },
      };
    },
    async close() {
      await Promise.all(listening.map((stream) => stream.return()));
      await store.close();
    },
  };
}

type Store = {
  cache: Cache;
  /** The current generation; null when it cannot be known (the request then bypasses the cache). */
  generation(): Promise<number | null>;
  /** Moves the generation on: every answer cached so far is dropped. */
  invalidate(): Promise<void>;
  close(): Promise<void>;
};

function memoryStore(): Store {
  const answers = createInMemoryCache();
  let generation = 0;
  return {
    cache: {
      get: (key) => answers.get(key),
      set: (key, result, entities, ttl) => answers.set(key, result, entities, ttl),
      invalidate: () => {},
    },
    generation: async () => generation,
    invalidate: async () => {
      generation += 1;
    },
    close: async () => {},
  };
}

function redisStore(url: string, prefix: string): Store {
  // Commands fail at once while Redis is unreachable, rather than queue: the request then runs
  // uncached instead of waiting for Redis.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Without a listener, ioredis reports a lost connection as an unhandled error event.
  redis.on("error", () => {});
  const generationKey = `${prefix}:generation`;
  // A change this process could not record: the shared answers may be stale until it is.
  let unrecorded = false;
  const invalidate = async () => {
    try {
      await redis.incr(generationKey);
      unrecorded = false;
    } catch {
      unrecorded = true;
    }
  };
  return {
    cache: {
      async get(key) {
        const text = await redis.get(`${prefix}:${key}`).catch(() => null);
        return text == null ? undefined : (JSON.parse(text) as ExecutionResult<Record<string, unknown>>);
      },
      async set(key, result, _entities, ttl) {
        await redis.set(`${prefix}:${key}`, JSON.stringify(result), "PX", ttl).catch(() => {});
      },
      invalidate: () => {},
    },
    async generation() {
      if (unrecorded) await invalidate();
      if (unrecorded) return null;
      try {
        return Number((await redis.get(generationKey)) ?? 0);
      } catch {
        return null;
      }
    },
    invalidate,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
