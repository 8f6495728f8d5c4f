import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CHILD_TEST_TIMEOUT,
  type Child,
  freePort,
  freshDatabase,
  logLines,
  sendOn,
  spawnChild,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";
import { until } from "./helpers/subscriptions.ts";

// WEB_CONCURRENCY: the real `node src/server.ts` supervising worker processes that share its port
// (src/workers.ts): each worker serves, one that dies is replaced, and SIGTERM stops them all.

/** The pids of the workers that said they were ready, in order. */
function readyWorkers(child: Child): number[] {
  return logLines(child)
    .filter((line) => String(line.msg).startsWith("GraphQL API ready at"))
    .map((line) => line.pid as number);
}

/** The pids whose request log lines show they answered. */
function answeringWorkers(child: Child): Set<number> {
  return new Set(
    logLines(child)
      .filter((line) => line.msg === "request")
      .map((line) => line.pid as number),
  );
}

/** `count` queries, each on a connection of its own, so the supervisor hands them out in turn. */
async function query(child: Child, count: number) {
  const port = Number(new URL(child.url).port);
  const body = JSON.stringify({ query: "{ __typename }" });
  for (let i = 0; i < count; i++) {
    const { answer } = sendOn(false, port, "POST", "/graphql", { "content-type": "application/json" }, body);
    expect(await answer).toEqual({ status: 200, text: '{"data":{"__typename":"Query"}}' });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("WEB_CONCURRENCY=2", () => {
  it(
    "two workers answer on one port; a killed worker is replaced; SIGTERM stops all, exiting 0",
    async () => {
      const child = await startChild(await freshDatabase(`workers-${randomUUID()}@example.test`), {
        WEB_CONCURRENCY: "2",
      });
      try {
        // Generous: a worker starts in a few seconds on a loaded machine.
        await until(() => readyWorkers(child).length === 2, "both workers are ready", 30_000);
        const workers = readyWorkers(child);
        expect(workers).not.toContain(child.process.pid);
        await query(child, 10);
        expect([...answeringWorkers(child)].sort()).toEqual([...workers].sort());

        const [killed] = workers as [number];
        process.kill(killed, "SIGKILL");
        await until(() => readyWorkers(child).length === 3, "a new worker is ready", 30_000);
        const messages = logLines(child).map((line) => line.msg);
        expect(messages).toContain(`Worker ${killed} was killed by SIGKILL: starting another`);
        const replacement = readyWorkers(child)[2] as number;
        await query(child, 10);
        expect(answeringWorkers(child)).toContain(replacement);
      } finally {
        const exit = await stopChild(child);
        expect(exit).toEqual({ code: 0, signal: null });
      }
      const workers = readyWorkers(child);
      expect(workers.filter(alive)).toEqual([]);
      expect(logLines(child).map((line) => line.msg)).toContain("SIGTERM received: stopping 2 workers");
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("WEB_CONCURRENCY=2 with workers that cannot start", () => {
  it(
    "replaces them for a while, then gives up and exits 1, so the process manager sees it",
    async () => {
      // No database answers there, and startup does not wait: each worker exits 1 at once.
      const child = spawnChild("postgresql://catalog@127.0.0.1:1/catalog", {
        PORT: String(await freePort()),
        WEB_CONCURRENCY: "2",
        STARTUP_TIMEOUT_SECONDS: "0",
      });
      expect(await child.exit).toEqual({ code: 1, signal: null });
      const messages = logLines(child).map((line) => String(line.msg));
      expect(
        messages.filter((message) => /^Worker \d+ exited with code 1: starting another$/.test(message))
          .length,
      ).toBeGreaterThanOrEqual(3);
      expect(messages.some((message) => /workers died within a minute, giving up$/.test(message))).toBe(true);
    },
    CHILD_TEST_TIMEOUT,
  );
});
