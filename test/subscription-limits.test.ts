import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createProduct } from "./helpers/fixtures.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import {
  connect,
  refusalCodes,
  refusalErrors,
  type Subscription,
  subscribe,
  subscribeOn,
  transports,
  until,
  untilListening,
} from "./helpers/subscriptions.ts";

// What bounds a live subscription: how many may be live at once, how long (no longer than the
// access token it started with), the keep-alive pings, and that everything is released when
// subscribers leave or the server stops.

const PRODUCT_CHANGED = "subscription { productChanged { kind productId } }";

const codesOf = (subscription: Subscription) =>
  subscription.received.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code);

/** Until the app has no live subscription and no listener left. */
const untilReleased = (server: TestServer) =>
  until(
    () => server.app.subscriptions.count() === 0 && server.app.eventBus.listenerCount("productChanged") === 0,
    "every subscription is released",
  );

describe("at most MAX_SUBSCRIPTIONS_PER_CONNECTION on a connection, MAX_SUBSCRIPTIONS_PER_USER per user", () => {
  const server = startTestServer({ MAX_SUBSCRIPTIONS_PER_CONNECTION: "2", MAX_SUBSCRIPTIONS_PER_USER: "3" });
  const staff = server.as("STAFF");

  it.each(["WebSocket", "graphql-sse single connection"] as const)(
    "over %s: a third on one connection is refused, and starts once one of the two has ended",
    async (transport) => {
      const connection = connect(server, transport, (await staff.session()).accessToken);
      const first = subscribeOn(connection, PRODUCT_CHANGED);
      const second = subscribeOn(connection, PRODUCT_CHANGED);
      await untilListening(server, "productChanged", 2);
      const third = subscribeOn(connection, PRODUCT_CHANGED);
      expect(await third.ended).toEqual({ completed: true });
      expect(codesOf(third)).toEqual(["TOO_MANY_SUBSCRIPTIONS"]);
      await first.stop();
      await until(() => server.app.subscriptions.count() === 1, "the first is released");
      const fourth = subscribeOn(connection, PRODUCT_CHANGED);
      await untilListening(server, "productChanged", 2);
      const id = await createProduct(staff);
      for (const live of [second, fourth]) {
        expect((await live.results(1)).map((result) => result.data?.productChanged)).toEqual([
          { kind: "CREATED", productId: id },
        ]);
      }
      await Promise.all([second.stop(), fourth.stop()]);
      await connection.dispose();
      await untilReleased(server);
    },
  );

  it.each(transports)(
    "over %s: a user's fourth subscription is refused, whatever the connections",
    async (transport) => {
      const { accessToken } = await staff.session();
      const three = [0, 1, 2].map(() =>
        subscribe(server, transport, PRODUCT_CHANGED, { token: accessToken }),
      );
      await untilListening(server, "productChanged", 3);
      expect(await refusalCodes(server, transport, PRODUCT_CHANGED, { token: accessToken })).toEqual([
        "TOO_MANY_SUBSCRIPTIONS",
      ]);
      // Another user is not held to this one's count.
      const other = subscribe(server, transport, PRODUCT_CHANGED, {
        token: (await server.as("CUSTOMER").session()).accessToken,
      });
      await untilListening(server, "productChanged", 4);
      await Promise.all([...three, other].map((live) => live.stop()));
      await untilReleased(server);
    },
  );
});

describe("a subscription ends when its access token expires (ACCESS_TOKEN_TTL_SECONDS=10)", () => {
  const server = startTestServer({ ACCESS_TOKEN_TTL_SECONDS: "10" });

  it("on every transport at once: one UNAUTHENTICATED error, then the stream completes", {
    timeout: 30_000,
  }, async () => {
    const { accessToken } = await server.as("CUSTOMER").session();
    const live = transports.map((transport) =>
      subscribe(server, transport, PRODUCT_CHANGED, { token: accessToken }),
    );
    await untilListening(server, "productChanged", transports.length);
    for (const subscription of live) {
      expect(await subscription.ended).toEqual({ completed: true });
      expect(codesOf(subscription)).toEqual(["UNAUTHENTICATED"]);
    }
    await Promise.all(live.map((subscription) => subscription.stop()));
    await untilReleased(server);
  });
});

describe.each(transports)("over %s, the limits of every request", (transport) => {
  const shallow = startTestServer({ MAX_DEPTH: "3" });
  const limited = startTestServer({ RATE_LIMIT_REQUESTS: "3" });

  it("a subscription deeper than MAX_DEPTH is refused before it starts", async () => {
    const deep = "subscription { productChanged { product { category { parent { name } } } } }";
    const errors = await refusalErrors(shallow, transport, deep);
    expect(errors.map((error) => error.message)).toEqual([
      "Syntax Error: Query depth limit of 3 exceeded, found 5.",
    ]);
    expect(shallow.app.subscriptions.count()).toBe(0);
  });

  it("each subscription counts as a request of its client's address: the fourth is refused", async () => {
    const three = [0, 1, 2].map(() => subscribe(limited, transport, PRODUCT_CHANGED));
    await untilListening(limited, "productChanged", 3);
    expect(await refusalCodes(limited, transport, PRODUCT_CHANGED)).toEqual(["RATE_LIMITED"]);
    await Promise.all(three.map((live) => live.stop()));
    await untilReleased(limited);
  });
});

describe("keep-alive", () => {
  const server = startTestServer();

  it("an idle SSE stream is sent a comment ping (every 12 s; 300 ms under test)", async () => {
    const response = await server.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: PRODUCT_CHANGED }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while ((text.match(/^:\n\n/gm) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toMatch(/^(:\n\n){3}/);
    await untilReleased(server);
  });
});

describe("1,000 subscriptions opened and dropped", () => {
  const server = startTestServer({
    MAX_SUBSCRIPTIONS_PER_CONNECTION: "100",
    MAX_SUBSCRIPTIONS_PER_USER: "1000",
  });

  it("leave no listener, no live subscription and no memory behind", { timeout: 60_000 }, async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const open = async () => {
      // Ten WebSockets of 100 subscriptions each.
      const sockets: WebSocket[] = [];
      const clients = Array.from({ length: 10 }, () =>
        createClient({
          url: `${server.url.replace(/^http/, "ws")}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          on: { opened: (socket) => sockets.push(socket as WebSocket) },
        }),
      );
      const live = clients.flatMap((client) =>
        Array.from({ length: 100 }, () =>
          subscribeOn(
            { iterate: client.iterate.bind(client), dispose: () => client.dispose() },
            PRODUCT_CHANGED,
          ),
        ),
      );
      await untilListening(server, "productChanged", 1_000);
      expect(server.app.subscriptions.count()).toBe(1_000);
      return { clients, sockets, live };
    };
    const drop = async ({ clients, sockets, live }: Awaited<ReturnType<typeof open>>) => {
      // Half end each subscription properly; the other half's connections are cut.
      await Promise.all(live.slice(0, 500).map((subscription) => subscription.stop()));
      for (const socket of sockets.slice(5)) socket.terminate();
      await untilReleased(server);
      await Promise.all(clients.map((client) => client.dispose()));
    };
    // The first rounds keep about 3 MB for good, once (compiled code, caches, the capacity of
    // collections that held 1,000 entries). From then on a round must give back what it held;
    // a leak would keep a share of it in every round.
    await drop(await open());
    const before = heap();
    const round = await open();
    const peak = heap();
    await drop(round);
    const afterOne = heap();
    await drop(await open());
    const afterTwo = heap();
    expect(server.app.eventBus.listenerCount("productChanged")).toBe(0);
    expect(server.app.subscriptions.count()).toBe(0);
    expect(
      afterTwo - afterOne,
      `before ${before}, peak ${peak}, after one ${afterOne}, after two ${afterTwo}`,
    ).toBeLessThan((peak - before) / 10);
  });
});

describe("shutdown", () => {
  const server = startTestServer({ SHUTDOWN_TIMEOUT_SECONDS: "120" });

  it("ends every live subscription at once: streams complete, WebSockets close", async () => {
    const { accessToken } = await server.as("STAFF").session();
    const live = transports.map((transport) =>
      subscribe(server, transport, PRODUCT_CHANGED, { token: accessToken }),
    );
    await untilListening(server, "productChanged", transports.length);
    // Without ending them, close() would wait the whole shutdown timeout, past the test's.
    await server.close();
    const outcomes = await Promise.all(live.map((subscription) => subscription.ended));
    // The SSE streams complete; the WebSocket closes with 1001, "going away".
    expect(
      outcomes.map((outcome) =>
        "error" in outcome ? (outcome.error as { code?: number }).code : "completed",
      ),
    ).toEqual(transports.map((transport) => (transport === "WebSocket" ? 1001 : "completed")));
    await Promise.all(live.map((subscription) => subscription.stop()));
    expect(server.app.subscriptions.count()).toBe(0);
  });
});
