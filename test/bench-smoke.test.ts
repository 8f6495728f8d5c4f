import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { Run } from "../bench/report.ts";
import { scenarios } from "../bench/scenarios.ts";

// `npm run bench` in its quick mode (a small catalog, one-second runs, one connection): the
// harness starts every target, checks their answers agree, loads each, and writes its report.
// Only that it completes is checked, never a timing.

const run = promisify(execFile);
const resultsDirectory = mkdtempSync(join(tmpdir(), "bench-smoke-"));
afterAll(() => rmSync(resultsDirectory, { recursive: true, force: true }));

describe("npm run bench (quick mode)", () => {
  it("runs every scenario on each of its targets and writes the report", { timeout: 180_000 }, async () => {
    const { stdout } = await run(process.execPath, ["bench/run.ts"], {
      env: { ...process.env, BENCH_QUICK: "1", BENCH_RESULTS_DIR: resultsDirectory },
      maxBuffer: 10_000_000,
    });

    const files = readdirSync(resultsDirectory).sort();
    expect(files).toHaveLength(2);
    const [jsonFile, markdownFile] = files;
    expect(jsonFile).toMatch(/\.json$/);
    expect(markdownFile).toMatch(/\.md$/);
    const markdown = readFileSync(join(resultsDirectory, markdownFile as string), "utf8");
    expect(stdout).toContain(markdown.trim());

    const expected = scenarios.flatMap((scenario) =>
      scenario.targets.map((target) => ({ scenario: scenario.id, target })),
    );
    for (const { scenario, target } of expected) {
      expect(markdown).toMatch(new RegExp(`^\\| ${scenario} \\| ${target} \\| 1 \\| \\d+ \\|`, "m"));
    }
    const report = JSON.parse(readFileSync(join(resultsDirectory, jsonFile as string), "utf8"));
    const runs = report.runs as Run[];
    expect(runs.map(({ scenario, target }) => ({ scenario, target }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(runs).toHaveLength(expected.length);
    for (const each of runs) {
      expect(each.requests, `scenario ${each.scenario} on ${each.target}`).toBeGreaterThan(0);
      expect(each.errors + each.non2xx + each.mismatches).toBe(0);
    }
    expect(markdown).toContain("Headline");
    expect(markdown).not.toContain("FAILED REQUESTS");
  });
});
