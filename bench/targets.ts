// The servers under load, each a child process of its own on a free loopback port: ours as
// `npm start` runs it (`node src/server.ts`, production mode), and the two baselines.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { TargetName } from "./scenarios.ts";

export type Target = {
  name: TargetName;
  url: string;
  pid: number;
  /** Resets the process's peak RSS (Linux), so the next reading covers one run only. */
  resetPeakRss(): boolean;
  /** Peak resident memory (VmHWM) since start or the last reset, in MB; null where unknown. */
  peakRssMb(): number | null;
  /** Resident memory (VmRSS) once it first answered, before any load, in MB. */
  startRssMb: number | null;
  stop(): Promise<void>;
};

export const SECRET_KEY = "bench-secret-key-0123456789-abcdefghijklmnop";

// The production settings of src/config.ts, with limits that never refuse the load: the bench
// sends far more than 600 requests a minute from one address, and runs longer than 15 minutes.
export function ourEnvironment(databaseFile: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    SECRET_KEY,
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${databaseFile}`,
    LOG_LEVEL: "warn",
    RATE_LIMIT_REQUESTS: "1000000000",
    RATE_LIMIT_MUTATIONS: "1000000000",
    RATE_LIMIT_AUTH_ATTEMPTS: "1000000",
    ACCESS_TOKEN_TTL_SECONDS: "86400",
    // Metrics on a listener of their own, as README "Running in production" recommends, so they
    // are collected as in production (a free port: nothing scrapes them here).
    METRICS_PORT: "0",
    // Blank means "default": no Redis, no trusted documents, whatever a .env file says.
    REDIS_URL: "",
    TRUSTED_DOCUMENTS: "",
    OTEL_EXPORTER_OTLP_ENDPOINT: "",
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address == null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export async function startOurs(databaseFile: string): Promise<Target> {
  return start("ours", "src/server.ts", ourEnvironment(databaseFile));
}

/** `copyFile`: the baseline's own copy of the database, where it adds its indexes. */
export async function startHandWritten(copyFile: string): Promise<Target> {
  return start("hand-written", "bench/baselines/hand-written.ts", { DATABASE_FILE: copyFile });
}

/** Ours serving the schema without its permission rules: what the rules cost under load. */
export async function startOursWithoutPermissions(databaseFile: string): Promise<Target> {
  return start(
    "ours without permissions",
    "bench/baselines/ours-without-permissions.ts",
    ourEnvironment(databaseFile),
  );
}

export async function startApollo(databaseFile: string): Promise<Target> {
  return start("apollo", "bench/baselines/apollo.ts", {
    NODE_ENV: "production",
    SECRET_KEY,
    DATABASE_URL: `file:${databaseFile}`,
  });
}

async function start(name: TargetName, entry: string, environment: Record<string, string>): Promise<Target> {
  const port = await freePort();
  // `node <entry>`: Node runs the TypeScript itself, and the pid is the server's own (its memory
  // is read from /proc/<pid>).
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...environment,
      PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`${name} exited before it answered:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not answer within 60 s:\n${output}`);
    }
    if (await answers(url)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    resetPeakRss: () => {
      try {
        // "5" resets the peak resident set size (VmHWM) of the process (Linux 4.0+).
        writeFileSync(`/proc/${pid}/clear_refs`, "5");
        return true;
      } catch {
        return false;
      }
    },
    peakRssMb: () => memoryMb(pid, "VmHWM"),
    startRssMb: memoryMb(pid, "VmRSS"),
    stop: () => stop(child, exited),
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function memoryMb(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function stop(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killed);
}
