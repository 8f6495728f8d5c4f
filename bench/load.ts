// The load generator, run by bench/run.ts as a child process of its own so that autocannon's
// work never shares an event loop (or a core's time slices) with the harness. One job per
// process: optional warm-up, then the measured run; prints one JSON line (LoadResult).
//   node bench/load.ts < job.json   (a LoadJob; on stdin, as it holds every product id, too
//                                    long for an argument)

import { readFileSync } from "node:fs";
import { text } from "node:stream/consumers";
import autocannon from "autocannon";
import { type BenchData, requestHeaders, scenarioById } from "./scenarios.ts";

export type LoadJob = {
  url: string;
  scenario: number;
  connections: number;
  warmUpSeconds: number;
  durationSeconds: number;
  /** Index of the first request: runs of one scenario start apart, so they send different bodies. */
  firstRequest: number;
  data: BenchData;
  /** The server's process, whose CPU time the measured run is charged with (Linux /proc). */
  serverPid: number;
};

export type LoadResult = {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors (timeouts included), non-2xx answers, and 2xx answers that are not a success. */
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  /**
   * CPU time the server process (every thread) spent per request of the measured run, in ms; null
   * where /proc cannot tell. Steadier than requests per second on a shared machine: a core lent
   * to another guest slows the run but does not add to this.
   */
  serverCpuMsPerRequest: number | null;
};

const job = JSON.parse(await text(process.stdin)) as LoadJob;
const scenario = scenarioById(job.scenario);
let next = job.firstRequest;

function run(seconds: number) {
  return autocannon({
    url: `${job.url}/graphql`,
    method: "POST",
    connections: job.connections,
    duration: seconds,
    headers: requestHeaders(scenario, job.data),
    requests: [{ setupRequest: (request) => ({ ...request, body: scenario.body(job.data, next++) }) }],
    // Counted as `mismatches`: a 200 that carries GraphQL errors is no success.
    verifyBody: (body) => scenario.ok(String(body ?? "")),
  });
}

/** User + system CPU time of a process so far, in ms; null where /proc cannot tell. */
function cpuMs(pid: number): number | null {
  try {
    // The fields after the command name (which may hold spaces, so it is skipped by its ")").
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime (fields 14 and 15 of stat), in clock ticks: 100 a second on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

if (job.warmUpSeconds > 0) await run(job.warmUpSeconds);
const cpuBefore = cpuMs(job.serverPid);
const result = await run(job.durationSeconds);
const cpuAfter = cpuMs(job.serverPid);
const answer: LoadResult = {
  requests: result.requests.total,
  requestsPerSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  mismatches: (result as unknown as { mismatches?: number }).mismatches ?? 0,
  serverCpuMsPerRequest:
    cpuBefore == null || cpuAfter == null || result.requests.total === 0
      ? null
      : (cpuAfter - cpuBefore) / result.requests.total,
};
console.log(JSON.stringify(answer));
