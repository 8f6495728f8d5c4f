// The bench's report: one row per scenario × target × connections, the headline ratios of ours
// to the baselines, the issue's targets with whether each is met, and the machine it ran on.
// Printed as markdown and written to bench/results/<timestamp>.md and .json.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./load.ts";
import type { Scenario, TargetName } from "./scenarios.ts";

export type Run = LoadResult & {
  scenario: number;
  target: TargetName;
  connections: number;
  /** SQL statements one request runs: counted for ours and Apollo, one a query by design for the hand-written baseline. */
  statementsPerRequest: number | null;
  /** Peak RSS of the server process during this run (VmHWM, reset before it), in MB. */
  peakRssMb: number | null;
};

export type Machine = {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
};

export type Settings = {
  products: number;
  categories: number;
  durationSeconds: number;
  warmUpSeconds: number;
  connections: number[];
  quick: boolean;
  catalogWrites: string;
};

export function describeMachine(): Machine {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

const failuresOf = (run: Run) => run.errors + run.non2xx + run.mismatches;
const fixed = (value: number | null, digits = 0) => (value == null ? "–" : value.toFixed(digits));

function runOf(runs: Run[], scenario: number, target: TargetName, connections: number) {
  return runs.find(
    (run) => run.scenario === scenario && run.target === target && run.connections === connections,
  );
}

function ratio(
  runs: Run[],
  scenario: number,
  connections: number,
  baseline: TargetName,
  baselineScenario = scenario,
) {
  const ours = runOf(runs, scenario, "ours", connections);
  const other = runOf(runs, baselineScenario, baseline, connections);
  return ours && other && other.requestsPerSecond > 0
    ? ours.requestsPerSecond / other.requestsPerSecond
    : null;
}

/** CPU time per request of ours ÷ the other target's, on one scenario at one connection count. */
function cpuRatio(runs: Run[], scenario: number, connections: number, other: TargetName) {
  const ours = runOf(runs, scenario, "ours", connections)?.serverCpuMsPerRequest;
  const theirs = runOf(runs, scenario, other, connections)?.serverCpuMsPerRequest;
  return ours != null && theirs != null && theirs > 0 ? ours / theirs : null;
}

type TargetCheck = { target: string; measured: string; met: boolean | null };

function targetChecks(runs: Run[], connections: number[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const atEach = (name: string, values: (number | null)[], pass: (value: number) => boolean, digits = 2) => {
    const known = values.filter((value): value is number => value != null);
    checks.push({
      target: name,
      measured: values.map((value, index) => `${fixed(value, digits)} @${connections[index]}`).join(", "),
      met: known.length === 0 ? null : known.every(pass),
    });
  };
  atEach(
    "uncached anonymous page (1) ≥ 0.25× hand-written",
    connections.map((count) => ratio(runs, 1, count, "hand-written")),
    (value) => value >= 0.25,
  );
  atEach(
    "uncached anonymous page (1) ≥ 3× Apollo",
    connections.map((count) => ratio(runs, 1, count, "apollo")),
    (value) => value >= 3,
  );
  atEach(
    "cached page (5) ≥ 0.5× hand-written page (1)",
    connections.map((count) => ratio(runs, 5, count, "hand-written", 1)),
    (value) => value >= 0.5,
  );
  atEach(
    "`{ __typename }` (0) ≥ 0.5× hand-written",
    connections.map((count) => ratio(runs, 0, count, "hand-written")),
    (value) => value >= 0.5,
  );
  // By CPU time per request, not requests per second: two runs of a few seconds, one after the
  // other, differ by more than the rules cost on a shared machine.
  atEach(
    "permission rules < 10 % of the page's (1) CPU time per request (%)",
    connections.map((count) => {
      const ratioOfCpu = cpuRatio(runs, 1, count, "ours without permissions");
      return ratioOfCpu == null ? null : (1 - 1 / ratioOfCpu) * 100;
    }),
    (value) => value < 10,
    0,
  );
  for (const scenario of [1, 2, 5]) {
    atEach(
      `p99 < 50 ms, scenario ${scenario} (ms)`,
      connections.map((count) => runOf(runs, scenario, "ours", count)?.p99Ms ?? null),
      (value) => value < 50,
      0,
    );
  }
  const peak = Math.max(
    ...runs
      .filter((run) => run.target === "ours" && run.peakRssMb != null)
      .map((run) => run.peakRssMb as number),
  );
  checks.push({
    target: "peak RSS < 200 MB",
    measured: Number.isFinite(peak) ? `${peak.toFixed(0)} MB` : "unknown",
    met: Number.isFinite(peak) ? peak < 200 : null,
  });
  return checks;
}

export function buildReport(input: {
  startedAt: Date;
  machine: Machine;
  settings: Settings;
  scenarios: Scenario[];
  runs: Run[];
  rssResettable: boolean;
  startRssMb: Record<string, number | null>;
}) {
  const { machine, settings, scenarios, runs } = input;
  const failed = runs.filter((run) => failuresOf(run) > 0);
  const lines: string[] = [];
  lines.push(`### Bench ${input.startedAt.toISOString()}`, "");
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}; ` +
      `load average ${machine.loadAverageAtStart.join(" / ")} at start, ${machine.loadAverageAtEnd?.join(" / ") ?? "?"} at end ` +
      "(1 / 5 / 15 min; above zero means other work shared the cores).",
    "",
    `Catalog: ${settings.products} products, ${settings.categories} categories (${settings.catalogWrites}). ` +
      `Each run: ${settings.warmUpSeconds} s warm-up, then ${settings.durationSeconds} s measured, ` +
      `at ${settings.connections.join(", ")} connections (autocannon, in a process of its own)` +
      `${settings.quick ? "; QUICK MODE: not a measurement" : ""}.`,
    "",
  );
  if (failed.length > 0) {
    lines.push(
      `**FAILED REQUESTS in ${failed.length} run(s): these numbers are not comparable.** ` +
        failed
          .map(
            (run) =>
              `scenario ${run.scenario} ${run.target} @${run.connections}: ${run.errors} connection errors (${run.timeouts} of them timeouts, no answer within 10 s), ${run.non2xx} non-2xx, ${run.mismatches} wrong answers`,
          )
          .join("; "),
      "",
    );
  }
  lines.push("Scenarios:", "");
  for (const scenario of scenarios) lines.push(`${scenario.id}. ${scenario.title}`);
  lines.push("");

  lines.push("Headline, requests per second of ours ÷ the baseline's (higher is better for ours):", "");
  lines.push(
    `| scenario | ${settings.connections.map((count) => `÷ hand-written @${count}`).join(" | ")} | ${settings.connections.map((count) => `÷ Apollo @${count}`).join(" | ")} |`,
  );
  lines.push(
    `| --- | ${settings.connections.map(() => "---:").join(" | ")} | ${settings.connections.map(() => "---:").join(" | ")} |`,
  );
  for (const scenario of [0, 1, 2, 3]) {
    const hand = settings.connections.map((count) => fixed(ratio(runs, scenario, count, "hand-written"), 2));
    const apollo = settings.connections.map((count) => fixed(ratio(runs, scenario, count, "apollo"), 2));
    lines.push(`| ${scenario} | ${hand.join(" | ")} | ${apollo.join(" | ")} |`);
  }
  lines.push("");

  lines.push(
    "| scenario | target | connections | req/s | p50 ms | p99 ms | failed | SQL/req | CPU ms/req | peak RSS MB |",
  );
  lines.push("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const run of runs) {
    const failures = failuresOf(run);
    lines.push(
      `| ${run.scenario} | ${run.target} | ${run.connections} | ${fixed(run.requestsPerSecond)} | ${fixed(run.p50Ms)} | ${fixed(run.p99Ms)} | ${failures > 0 ? `**${failures}**${run.timeouts > 0 ? ` (${run.timeouts} timed out)` : ""}` : "0"} | ${run.statementsPerRequest ?? "–"} | ${fixed(run.serverCpuMsPerRequest, 3)} | ${fixed(run.peakRssMb)} |`,
    );
  }
  lines.push("");
  lines.push(
    `Failed: connection errors + non-2xx + answers that are not a success (GraphQL errors, a failed mutation). ` +
      "CPU ms/req: the server process's CPU time (all threads) during the measured run ÷ its requests. " +
      `Peak RSS: ${input.rssResettable ? "VmHWM of the server process, reset before each run" : "VmHWM since the server started (it could not be reset)"}. ` +
      `RSS once started, before any request: ${Object.entries(input.startRssMb)
        .map(([name, mb]) => `${name} ${fixed(mb)} MB`)
        .join(", ")} (each runs its TypeScript on Node itself, as \`npm start\` does).`,
    "",
  );

  const checks = targetChecks(runs, settings.connections);
  lines.push("Targets (issue “Speed: measure it honestly”), at each connection count:", "");
  lines.push("| target | measured | met |", "| --- | --- | --- |");
  for (const check of checks) {
    lines.push(
      `| ${check.target} | ${check.measured} | ${check.met == null ? "not measured" : check.met ? "yes" : "**no**"} |`,
    );
  }
  lines.push("");
  // A timeout is a measurement of overload (shown in the table); any other failure means the
  // server answered wrongly or not at all, and the run fails.
  const brokenRuns = runs.filter((run) => failuresOf(run) - run.timeouts > 0).length;
  return { markdown: lines.join("\n"), checks, brokenRuns };
}

export function writeReport(
  directory: string,
  startedAt: Date,
  markdown: string,
  json: Record<string, unknown>,
): { markdownFile: string; jsonFile: string } {
  mkdirSync(directory, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const markdownFile = join(directory, `${stamp}.md`);
  const jsonFile = join(directory, `${stamp}.json`);
  writeFileSync(markdownFile, `${markdown}\n`);
  writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
  return { markdownFile, jsonFile };
}
