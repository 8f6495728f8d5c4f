import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  CHILD_TEST_TIMEOUT,
  freePort,
  freshDatabase,
  graphql,
  logIn,
  logLines,
  spawnChild,
  startChild,
  stopChild,
} from "./helpers/child-server.ts";

// Starting the real `src/server.ts`, as a developer does on the first day: what a restart keeps,
// and what a port already taken says.

// Development without SECRET_KEY (blank means unset, whatever a .env says).
const DEVELOPMENT = { NODE_ENV: "development", SECRET_KEY: "" };

describe("starting the server", () => {
  it(
    "in development without SECRET_KEY, a restarted server accepts the access tokens of the one before",
    async () => {
      const email = "restart@example.test";
      const file = await freshDatabase(email);
      const first = await startChild(file, DEVELOPMENT);
      const { accessToken } = await logIn(first, email);
      await stopChild(first);
      expect(first.stdout()).toContain("signing with the development key kept in");

      const second = await startChild(file, DEVELOPMENT);
      try {
        const me = await graphql(second, "{ me { email } }", {}, { authorization: `Bearer ${accessToken}` });
        expect(me.body).toEqual({ data: { me: { email } } });
      } finally {
        await stopChild(second);
      }
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "on a port already in use, says which address is taken and that PORT changes it, without a stack trace",
    async () => {
      const port = await freePort();
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
      try {
        const child = spawnChild(await freshDatabase("busy-port@example.test"), { PORT: String(port) });
        expect(await child.exit).toEqual({ code: 1, signal: null });
        expect(child.stderr()).toContain(`Cannot listen on 127.0.0.1:${port}: the address is already in use`);
        expect(child.stderr()).toContain("Set PORT to use another port");
        expect(child.stderr()).not.toMatch(/^\s+at /m);
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("waiting for the database and Redis", () => {
  it(
    "retries with a log line per try, then stops with code 1 naming the database that never answered",
    async () => {
      const child = spawnChild("postgresql://catalog:secret@127.0.0.1:1/catalog", {
        PORT: String(await freePort()),
        REDIS_URL: "redis://127.0.0.1:1",
        STARTUP_TIMEOUT_SECONDS: "1",
      });
      expect(await child.exit).toEqual({ code: 1, signal: null });
      const messages = logLines(child).map((line) => line.msg as string);
      const waiting = messages.filter((message) => message.startsWith("Waiting for the database"));
      expect(waiting.length).toBeGreaterThanOrEqual(2);
      expect(waiting[0]).toMatch(
        /^Waiting for the database at postgresql:\/\/\*\*\*@127\.0\.0\.1:1\/catalog \(try 1: .*Can't reach database server at 127\.0\.0\.1:1.*\); next try in 250 ms$/,
      );
      expect(waiting[1]).toMatch(/\(try 2: .*\); next try in 500 ms$/);
      expect(
        messages.some((message) => message.startsWith("Waiting for Redis at redis://127.0.0.1:1 (try 1")),
      ).toBe(true);
      expect(messages).toContain(
        "No answer from the database at postgresql://***@127.0.0.1:1/catalog within 1 s (STARTUP_TIMEOUT_SECONDS): Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:1`",
      );
      // The password never reaches the log.
      expect(child.stdout() + child.stderr()).not.toContain("secret");
    },
    CHILD_TEST_TIMEOUT,
  );
});
