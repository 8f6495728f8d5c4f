// The load generator, run by bench/run.ts as a child process of its own so that autocannon's
// work never shares an event loop (or a core's time slices) with the harness. One job per
// process: optional warm-up, then the measured run; prints one JSON line (LoadResult).
//   node bench/load.ts < job.json      (a LoadJob; on stdin, as it holds every
//                                                    product id, too long for an argument)

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

if (job.warmUpSeconds > 0) await run(job.warmUpSeconds);
const result = await run(job.durationSeconds);
const answer: LoadResult = {
  requests: result.requests.total,
  requestsPerSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  mismatches: (result as unknown as { mismatches?: number }).mismatches ?? 0,
};
console.log(JSON.stringify(answer));
