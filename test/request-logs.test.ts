import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  CHILD_TEST_TIMEOUT,
  type Child,
  type Exit,
  freshDatabase,
  graphql,
  LOG_IN,
  logLines,
  type Reply,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";
import { CREATE_PRODUCT } from "./helpers/operations.ts";
import { connect, subscribe, subscribeOn } from "./helpers/subscriptions.ts";

// The real server's request logs on stdout (a child process, production mode): one JSON line per
// request, never a secret.

describe("stopping the real server (node src/server.ts, production, WAL)", () => {
  describe("request logs (stdout)", () => {
    // Parse errors, validation errors and graphql-armor limits end a request before execution;
    // with the default Accept, Yoga answers them with HTTP 200 and only `errors`.
    const refusedBeforeExecution = [
      { query: "{ products(first: ", message: /^Syntax Error: Unexpected <EOF>/ },
      { query: "query Unknown { nope }", message: /^Cannot query field "nope"/ },
      {
        query: `query Aliases { ${Array.from({ length: 20 }, (_, i) => `a${i}: products(first: 1) { totalCount }`).join(" ")} }`,
        message: /Aliases limit of 15 exceeded/,
      },
    ];
    // Input errors Pothos checks itself (they get their BAD_USER_INPUT from maskError).
    const clientMistakes = [
      'query BadId { node(id: "not-a-global-id") { id } }',
      'query BeforeAndAfter { products(first: 1, before: "x", after: "y") { totalCount } }',
    ];
    const replies: { reply: Reply; operationName?: string; refused?: RegExp; mistake?: boolean }[] = [];
    const secrets: string[] = [ADMIN_PASSWORD];
    let child: Child;
    let exit: Exit;
    let requestLines: Record<string, any>[] = [];
    const lineOf = (reply: Reply) => requestLines.filter((line) => line.requestId === reply.requestId);

    beforeAll(async () => {
      const email = `admin-${randomUUID()}@example.test`;
      child = await startChild(await freshDatabase(email));
      const send = async (operationName: string | undefined, ...args: Parameters<typeof graphql>) => {
        const reply = await graphql(...args);
        replies.push({ reply, operationName });
        return reply;
      };
      const login = await send("LogIn", child, LOG_IN, { input: { email, password: ADMIN_PASSWORD } });
      const { accessToken, refreshToken } = login.body.data.logIn;
      secrets.push(accessToken, refreshToken, accessToken.split(".")[2]);
      const auth = { authorization: `Bearer ${accessToken}` };
      await send("CatalogPage", child, "query CatalogPage { products(first: 2) { totalCount } }", {}, auth);
      await send(undefined, child, "{ me { email } }", {}, auth);
      await send("Me", child, "query Me { me { email } }", {}, { ...auth, "x-request-id": "logs-test.me-1" });
      await send("LogIn", child, LOG_IN, { input: { email, password: `${ADMIN_PASSWORD} (wrong)` } });
      const refreshed = await send(
        "Refresh",
        child,
        "mutation Refresh($t: String!) { refreshToken(input: { refreshToken: $t }) { ... on AuthPayload { refreshToken } } }",
        { t: refreshToken },
      );
      secrets.push(refreshed.body.data.refreshToken.refreshToken);
      for (const { query, message } of refusedBeforeExecution) {
        replies.push({ reply: await graphql(child, query), refused: message });
      }
      for (const query of clientMistakes) {
        replies.push({
          reply: await graphql(child, query),
          operationName: /query (\w+)/.exec(query)?.[1],
          mistake: true,
        });
      }
      exit = await stopChild(child);
      requestLines = logLines(child).filter((line) => line.msg === "request" && line.path === "/graphql");
    }, CHILD_TEST_TIMEOUT);

    it("are JSON lines, one per GraphQL request, with its request id, operation and duration", () => {
      expect(exit).toEqual({ code: 0, signal: null });
      for (const line of logLines(child)) {
        expect(line.service).toBe("catalog-api");
        expect(typeof line.level).toBe("number");
        expect(typeof line.time).toBe("number");
      }
      expect(replies).toHaveLength(11);
      expect(requestLines).toHaveLength(replies.length);
      expect(replies[3]?.reply.requestId).toBe("logs-test.me-1");
      for (const { reply, operationName } of replies) {
        expect(reply.requestId).toMatch(/^[\w.-]{1,64}$/);
        expect(lineOf(reply), `request line for ${reply.requestId}`).toHaveLength(1);
        const line = lineOf(reply)[0] as Record<string, any>;
        expect(line.operationName).toBe(operationName);
        expect(line.method).toBe("POST");
        expect(line.status).toBe(reply.status);
        expect(typeof line.durationMs).toBe("number");
        expect(Number.isFinite(line.durationMs)).toBe(true);
        expect(typeof line.outcome).toBe("string");
      }
    });

    // Was a bug: Yoga logs every error its masking replaces at error level, and maskError replaces
    // these to give them a code, so one client repeating a mistake filled the error log.
    it("log a client's input mistakes below error level, with their code as the outcome", () => {
      const mistakes = replies.filter(({ mistake }) => mistake);
      expect(mistakes).toHaveLength(clientMistakes.length);
      for (const { reply } of mistakes) {
        expect(reply.body.errors.map((error: any) => error.extensions.code)).toEqual(["BAD_USER_INPUT"]);
        expect(lineOf(reply)[0]?.outcome).toBe("BAD_USER_INPUT");
      }
      // pino's levels: 50 is error, 60 fatal.
      expect(logLines(child).filter((line) => line.level >= 50)).toEqual([]);
    });

    it("never contain the password, the access token or a refresh token", () => {
      expect(secrets).toHaveLength(5);
      const output = child.stdout() + child.stderr();
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(8);
        expect(output).not.toContain(secret);
      }
    });

    it("answer operations refused before execution with HTTP 200 and errors only", () => {
      const refused = replies.filter(({ refused }) => refused);
      expect(refused).toHaveLength(refusedBeforeExecution.length);
      for (const { reply, refused: message } of refused) {
        expect(reply.status).toBe(200);
        expect(reply.body.data).toBeUndefined();
        expect(reply.body.errors[0].message).toMatch(message as RegExp);
        expect(lineOf(reply)).toHaveLength(1);
      }
    });

    // Was a bug: the outcome only counts errors raised during execution (onExecuteDone) or an HTTP
    // status >= 400, so a request that failed to parse or validate, or was refused by a
    // graphql-armor limit, is logged with outcome "ok" whenever Yoga answers it with HTTP 200.
    it("give operations refused before execution an outcome other than ok", () => {
      const refused = replies.filter(({ refused }) => refused);
      expect(refused).toHaveLength(refusedBeforeExecution.length);
      for (const { reply } of refused) expect(lineOf(reply)[0]?.outcome).not.toBe("ok");
    });
  });

  describe("live updates in the logs", () => {
    let child: Child;
    let token = "";

    beforeAll(async () => {
      const email = `admin-${randomUUID()}@example.test`;
      child = await startChild(await freshDatabase(email));
      token = (await graphql(child, LOG_IN, { input: { email, password: ADMIN_PASSWORD } })).body.data.logIn
        .accessToken;
      // Over a WebSocket: a query, then a subscription that ends when its client completes it.
      const socket = connect(child, "WebSocket", token);
      const me = subscribeOn(socket, "query SocketMe { me { email } }");
      expect(await me.ended).toEqual({ completed: true });
      const watch = subscribeOn(socket, "subscription SocketWatch { productChanged { kind } }");
      // Over SSE: a subscription that ends when its client goes away.
      const stream = subscribe(child, "SSE", "subscription StreamWatch { productChanged { kind } }", {
        token,
      });
      // Both are live once each has received a change (a change made before one started is
      // not sent to it, so changes are made until both have one).
      for (
        let sku = 1;
        sku <= 50 && (watch.received.length === 0 || stream.received.length === 0);
        sku += 1
      ) {
        await graphql(
          child,
          CREATE_PRODUCT,
          { input: { sku: `LOGS-${sku}`, name: "Logs", price: "1.00", currency: "EUR" } },
          {
            authorization: `Bearer ${token}`,
          },
        );
        await sleep(100);
      }
      await watch.stop();
      await stream.stop();
      await socket.dispose();
      await stopChild(child);
    }, CHILD_TEST_TIMEOUT);

    it("give a WebSocket operation a line of its own, and every subscription one when it ends", () => {
      const lines = logLines(child);
      expect(lines.filter((line) => line.msg === "operation")).toEqual([
        expect.objectContaining({ operationName: "SocketMe", outcome: "ok", requestId: expect.any(String) }),
      ]);
      const ended = lines.filter((line) => line.msg === "subscription ended");
      expect(ended.map((line) => line.operationName).sort()).toEqual(["SocketWatch", "StreamWatch"]);
      for (const line of ended) expect(Number.isFinite(line.durationMs)).toBe(true);
      expect(child.stdout() + child.stderr()).not.toContain(token);
    });
  });
});
