import { randomUUID } from "node:crypto";
import { Agent } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  CHILD_TEST_TIMEOUT,
  type Child,
  CONNECTION_ERRORS,
  type Exit,
  freshDatabase,
  LOG_IN,
  logLines,
  sendOn,
  startChild,
} from "./helpers/child-server.ts";

// Requests in flight when the real server (a child process, production mode) gets SIGTERM: each
// is answered in full, and its kept-alive connection is closed after it.

describe("stopping the real server (node src/server.ts, production, WAL)", () => {
  describe("requests in flight at SIGTERM", () => {
    let email: string;
    let child: Child;
    let replies: { status: number; text: string }[];
    let afterStop: string[];
    let exit: Exit;

    beforeAll(async () => {
      email = `admin-${randomUUID()}@example.test`;
      child = await startChild(await freshDatabase(email));
      const port = Number(new URL(child.url).port);
      const body = JSON.stringify({
        query: LOG_IN,
        variables: { input: { email, password: ADMIN_PASSWORD } },
      });
      // Eight kept-alive connections, one log-in on each. Log-ins are slow on purpose (scrypt),
      // and more of them than the thread pool runs at once.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      try {
        const sending = Array.from({ length: 8 }, () =>
          sendOn(agent, port, "POST", "/graphql", { "content-type": "application/json" }, body),
        );
        await Promise.all(sending.map(({ written }) => written));
        // A round trip on a connection opened after them: by the time it is answered, the server
        // has accepted and read the log-in connections (accepted in order), so they are in flight.
        const health = sendOn(false, port, "GET", "/healthz", {});
        if ((await health.answer).status !== 200) throw new Error("healthz failed");
        child.process.kill("SIGTERM");
        replies = await Promise.all(sending.map(({ answer }) => answer));

        // The stop has begun: a new request on the same connections must not be run.
        afterStop = await Promise.all(
          Array.from({ length: 8 }, () =>
            sendOn(
              agent,
              port,
              "POST",
              "/graphql",
              { "content-type": "application/json" },
              '{"query":"query AfterStop { __typename }"}',
            ).answer.then(
              (reply) => `HTTP ${reply.status}`,
              (error: NodeJS.ErrnoException) => error.code ?? String(error),
            ),
          ),
        );
      } finally {
        agent.destroy();
      }
      exit = await child.exit;
    }, CHILD_TEST_TIMEOUT);

    it("finish with a complete answer, then the process exits 0", () => {
      expect(replies).toHaveLength(8);
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        const payload = JSON.parse(reply.text).data.logIn;
        expect(payload.__typename).toBe("AuthPayload");
        expect(payload.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(typeof payload.refreshToken).toBe("string");
        expect(payload.user).toEqual({ email, role: "ADMIN" });
      }
      expect(exit).toEqual({ code: 0, signal: null });

      // The stop began while log-ins were still running: some of them were logged after it.
      const lines = logLines(child);
      const stopAt = lines.findIndex((line) => /^SIGTERM received/.test(line.msg));
      expect(stopAt).toBeGreaterThan(-1);
      const logInLines = lines
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.msg === "request" && line.operationName === "LogIn");
      expect(logInLines).toHaveLength(8);
      expect(logInLines.some(({ index }) => index > stopAt)).toBe(true);
      expect(logInLines.every(({ line }) => line.status === 200 && line.outcome === "ok")).toBe(true);
    });

    // server.close() alone only closes the connections idle at that moment; a kept-alive
    // connection busy with a request must be closed once answered, not serve a next request.
    it("close their kept-alive connections once answered", () => {
      expect(afterStop).toHaveLength(8);
      for (const outcome of afterStop) expect(CONNECTION_ERRORS).toContain(outcome);
    });
  });
});
