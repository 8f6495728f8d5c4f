import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createEventBus } from "../src/services/events.ts";
import { createProduct as createProductService } from "../src/services/products.ts";
import { cachedAndUncachedServers, expectAnsweredFromCache } from "./helpers/response-cache.ts";
import { probeRedis, REDIS_URL, redisInspector, uniquePrefix } from "./helpers/server.ts";

// The response cache in Redis (REDIS_URL), shared by every process of a deployment: an answer
// cached by one is served by the others, and a change made through any of them, or by another
// process entirely (a script), drops it for all.

const redisReachable = await probeRedis("the shared response cache tests");
if (!redisReachable) {
  describe.skip(`response cache in Redis: skipped, nothing answers at ${REDIS_URL} (start Redis to run them)`, () => {
    it("shares cached answers and their invalidation between processes", () => {});
  });
}

/** Until every one of `subscribers` processes listens to the topic's channel of the prefix. */
async function untilSubscribed(redis: Redis, prefix: string, topic: string, subscribers: number) {
  const channel = `${prefix}:events:${topic}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [, count] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
    if (Number(count) >= subscribers) return;
    await sleep(20);
  }
  throw new Error(`fewer than ${subscribers} subscribers on ${channel}`);
}

(redisReachable ? describe : describe.skip)("two servers sharing one Redis and one database", () => {
  const prefix = uniquePrefix();
  const redis = redisInspector(prefix);
  const {
    cached: first,
    uncached,
    others: [second],
    viewer,
    ask,
    statementsDuring,
  } = cachedAndUncachedServers({ REDIS_URL, REDIS_KEY_PREFIX: prefix }, 1);
  if (!second) throw new Error("the second server was not started");
  const anonymous = viewer("anonymous");
  const admin = first.as("ADMIN");
  beforeAll(async () => {
    await untilSubscribed(redis, prefix, "productChanged", 2);
  });

  const listOf = (word: string) =>
    `{ products(filter: { search: "${word}" }) { totalCount edges { node { name } } } }`;

  it("serves an answer cached by one server from the other, stored under the key prefix", async () => {
    const query = listOf(`shared${randomUUID().slice(0, 8)}`);
    const answer = await ask(first, anonymous, query);
    let fromSecond = {};
    const statements = await statementsDuring(async () => {
      fromSecond = await ask(second, anonymous, query);
    }, second);
    expectAnsweredFromCache(anonymous, statements, fromSecond);
    expect(fromSecond).toEqual(answer);
    expect((await redis.keys(`${prefix}:response-cache:*`)).length).toBeGreaterThan(0);
  });

  it("answers on the other server what a mutation through one changed, at once", async () => {
    const word = `created${randomUUID().slice(0, 8)}`;
    const query = listOf(word);
    for (const server of [first, second]) {
      expect((await ask(server, anonymous, query)).data?.products.totalCount).toBe(0);
    }
    const created = await admin.graphql(
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename } }`,
      { input: { sku: word.toUpperCase(), name: word, price: "1.00", currency: "EUR", status: "ACTIVE" } },
    );
    expect(created.data?.createProduct.__typename).toBe("CreateProductPayload");
    for (const server of [second, first]) {
      const answer = await ask(server, anonymous, query);
      expect(answer.data?.products.totalCount).toBe(1);
      expect(answer).toEqual(await ask(uncached, anonymous, query));
    }
  });

  it("drops the answers of every server when another process publishes a change", async () => {
    const word = `script${randomUUID().slice(0, 8)}`;
    const query = listOf(word);
    for (const server of [first, second]) {
      expect((await ask(server, anonymous, query)).data?.products.totalCount).toBe(0);
    }
    // A script's own event bus (as the seed's), publishing through the same Redis and prefix.
    const config = loadConfig({ NODE_ENV: "test", REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const script = createEventBus(config.redis, (error) => {
      throw error;
    });
    await script.ready();
    try {
      await createProductService(
        { config: first.app.config, prisma: first.app.prisma, events: script.events, user: null },
        { sku: word.toUpperCase(), name: word, price: "1.00", currency: "EUR", status: "ACTIVE" },
      );
    } finally {
      await script.close();
    }
    const fresh = await ask(uncached, anonymous, query);
    expect(fresh.data?.products.totalCount).toBe(1);
    // The event reaches the servers through Redis after the write: wait for it, not for a time.
    for (const server of [first, second]) {
      let answer = await ask(server, anonymous, query);
      for (let attempt = 0; attempt < 100 && answer.data?.products.totalCount !== 1; attempt += 1) {
        await sleep(20);
        answer = await ask(server, anonymous, query);
      }
      expect(answer).toEqual(fresh);
    }
  });
});
