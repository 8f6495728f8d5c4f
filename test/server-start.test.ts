import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  CHILD_TEST_TIMEOUT,
  freePort,
  freshDatabase,
  graphql,
  logIn,
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
