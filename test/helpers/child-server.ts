import { type ChildProcess, spawn } from "node:child_process";
import { type Agent, request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createPrisma } from "../../src/db/client.ts";
import { createAccount } from "../../src/services/accounts.ts";
import { freshDatabaseUrl } from "../databases.ts";

// The real entry point, `node src/server.ts`, run as a child process in production
// mode on its own fresh migrated database, for the tests of what happens to writes, requests
// in flight and logs when the process is stopped (SIGTERM) or killed (SIGKILL).

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET_KEY = "shutdown-test-secret-key-0123456789-abcdefghij";
export const ADMIN_PASSWORD = "Shutdown test admin pass phrase 42";
// Each test starts one or two child processes (a few seconds each on a small machine).
export const CHILD_TEST_TIMEOUT = 90_000;

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type Child = {
  process: ChildProcess;
  url: string;
  databaseUrl: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<Exit>;
};

const running = new Set<ChildProcess>();

afterAll(() => {
  // A failed test may leave a child behind; never let it outlive the test file (this module is
  // loaded by the test file that imports it, so the hook is that file's).
  for (const child of running) child.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address == null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A fresh migrated database with one ADMIN account (created as user:create does); its URL. */
export async function freshDatabase(email: string): Promise<string> {
  const databaseUrl = await freshDatabaseUrl("child");
  const prisma = createPrisma(
    loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: databaseUrl }),
  );
  try {
    await createAccount({ prisma }, { email, name: "Shutdown admin", password: ADMIN_PASSWORD }, "ADMIN");
  } finally {
    await prisma.$disconnect();
  }
  return databaseUrl;
}

/**
 * Starts `src/server.ts` on the database and waits until it answers /readyz. `environment` adds to or
 * overrides the child's (e.g. PORT).
 */
export async function startChild(
  databaseUrl: string,
  environment: Record<string, string> = {},
): Promise<Child> {
  const child = spawnChild(databaseUrl, { PORT: String(await freePort()), ...environment });
  let exited: Exit | undefined;
  void child.exit.then((value) => {
    exited = value;
  });
  for (;;) {
    if (exited) {
      throw new Error(
        `server exited before it was ready (${JSON.stringify(exited)}):\n${child.stderr()}\n${child.stdout()}`,
      );
    }
    try {
      const response = await fetch(`${child.url}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

/** Starts `src/server.ts` on the database without waiting for it (for a start that is meant to fail). */
export function spawnChild(
  databaseUrl: string,
  environment: Record<string, string> & { PORT: string },
): Child {
  const child = spawn(process.execPath, ["src/server.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: "production",
      SECRET_KEY,
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "info",
      RATE_LIMIT_REQUESTS: "1000000",
      RATE_LIMIT_MUTATIONS: "1000000",
      RATE_LIMIT_AUTH_ATTEMPTS: "1000000",
      // Blank means "default": no Redis, no trusted-documents manifest, whatever a .env says.
      REDIS_URL: "",
      TRUSTED_DOCUMENTS: "",
      ...environment,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // "close" (not "exit") so that everything the child wrote has been read.
  const exit = new Promise<Exit>((resolve) =>
    child.once("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${environment.PORT}`;
  return { process: child, url, databaseUrl, stdout: () => stdout, stderr: () => stderr, exit };
}

export async function stopChild(child: Child): Promise<Exit> {
  child.process.kill("SIGTERM");
  return child.exit;
}

/** The child's stdout, one parsed JSON object per line; a line that is not JSON fails the test. */
export function logLines(child: Child): Record<string, any>[] {
  return child
    .stdout()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`stdout line is not JSON: ${line}`);
      }
    });
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

/**
 * One request through node:http: on a brand-new connection (agent false), or on `agent`'s
 * kept-alive connections, so which connection carries it is known.
 */
export function sendOn(
  agent: Agent | false,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): { written: Promise<void>; answer: Promise<{ status: number; text: string }> } {
  const request = httpRequest({
    host: "127.0.0.1",
    port,
    path,
    method,
    agent,
    headers: body == null ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
  const written = new Promise<void>((resolve) => request.end(body ?? "", () => resolve()));
  return { written, answer };
}

export type Reply = { status: number; requestId: string | null; body: any };

export async function graphql(
  child: Child,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(`${child.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, requestId: response.headers.get("x-request-id"), body };
}

export const LOG_IN = `
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      __typename
      ... on AuthPayload { accessToken refreshToken user { email role } }
      ... on Error { message code }
    }
  }
`;

export async function logIn(child: Child, email: string) {
  const reply = await graphql(child, LOG_IN, { input: { email, password: ADMIN_PASSWORD } });
  const payload = reply.body?.data?.logIn;
  if (payload?.__typename !== "AuthPayload") throw new Error(`log-in failed: ${JSON.stringify(reply)}`);
  return payload as { accessToken: string; refreshToken: string };
}

export function connectionErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? String(error);
}

// Failures of a request whose connection was refused, reset or closed: no HTTP answer at all.
export const CONNECTION_ERRORS = ["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"];
