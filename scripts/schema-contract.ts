// The released GraphQL contract and the changes made to it since: what `npm run schema:check`
// reports and `npm run schema:release` records. Pure functions of text (SDL and CHANGELOG.md), so
// the tests can try any schema and changelog without touching the repository's files.
//
// The design: schema.graphql follows the code on every commit, so the contract last given to
// clients is kept apart, in contract/released-schema.graphql, and changes only on release. A
// breaking change since then passes only when CHANGELOG.md acknowledges it: its coordinate (as
// the check prints it) opens a list item under "## Unreleased" → "### Breaking changes".
import { type Change, CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

export const RELEASED_SCHEMA = "contract/released-schema.graphql";
export const CHANGELOG = "CHANGELOG.md";

export type ContractChange = {
  criticality: "BREAKING" | "DANGEROUS" | "NON_BREAKING";
  /** What changed, as graphql-inspector names it: `Product.sku`, `Query.products.first`, `ProductStatus`. */
  coordinate: string;
  message: string;
  /** Why a breaking or dangerous change may break clients, when graphql-inspector says. */
  reason?: string;
  /** BREAKING only: listed in the changelog's Unreleased breaking changes. */
  acknowledged: boolean;
};

export type ContractReport = {
  /** Every change, breaking first, then dangerous, then the rest; in schema order within each. */
  changes: ContractChange[];
  /** The breaking changes the changelog does not acknowledge: any fails the check. */
  unacknowledged: ContractChange[];
  /** Coordinates the changelog acknowledges that break nothing (anymore): worth a look, not a failure. */
  unusedAcknowledgements: string[];
  ok: boolean;
};

const ORDER = { BREAKING: 0, DANGEROUS: 1, NON_BREAKING: 2 } as const;

function criticalityOf(change: Change): ContractChange["criticality"] {
  switch (change.criticality.level) {
    case CriticalityLevel.Breaking:
      return "BREAKING";
    case CriticalityLevel.Dangerous:
      return "DANGEROUS";
    default:
      return "NON_BREAKING";
  }
}

/** The lines of a `## Heading` section (up to the next `##`), or of a `###` one (up to the next `##` or `###`). */
function section(lines: string[], heading: RegExp, level: 2 | 3): string[] {
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const end = lines.findIndex(
    (line, index) => index > start && (/^## /.test(line) || (level === 3 && /^### /.test(line))),
  );
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The changelog's lines, those inside ``` fences blanked: an example acknowledges nothing. */
function prose(changelog: string): string[] {
  let fenced = false;
  return changelog.split(/\r?\n/).map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

const UNRELEASED = /^## Unreleased\s*$/i;

/**
 * The coordinates CHANGELOG.md acknowledges as breaking: the code span that opens each list item
 * under `## Unreleased`, `### Breaking changes`, e.g. "- `Product.sku`: removed; read `code`."
 * Only the opening span counts, so naming a replacement in the text acknowledges nothing.
 */
export function acknowledgedBreakingChanges(changelog: string): Set<string> {
  const unreleased = section(prose(changelog), UNRELEASED, 2);
  const breaking = section(unreleased, /^### Breaking changes\s*$/i, 3);
  return new Set(breaking.flatMap((line) => /^\s*[-*] `([^`]+)`/.exec(line)?.[1] ?? []));
}

/** The changes from the released SDL to the current one, and whether the changelog covers the breaking ones. */
export async function checkContract({
  released,
  current,
  changelog,
}: {
  released: string;
  current: string;
  changelog: string;
}): Promise<ContractReport> {
  const acknowledged = acknowledgedBreakingChanges(changelog);
  const changes = (await diff(buildSchema(released), buildSchema(current)))
    .map((change): ContractChange => {
      const criticality = criticalityOf(change);
      // Only the schema's root operation types have no path; name them as the schema itself.
      const coordinate = change.path ?? "schema";
      return {
        criticality,
        coordinate,
        message: change.message,
        ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
        acknowledged: criticality === "BREAKING" && acknowledged.has(coordinate),
      };
    })
    .sort((a, b) => ORDER[a.criticality] - ORDER[b.criticality]);
  const unacknowledged = changes.filter(
    (change) => change.criticality === "BREAKING" && !change.acknowledged,
  );
  const breaking = new Set(
    changes.filter((change) => change.criticality === "BREAKING").map((c) => c.coordinate),
  );
  return {
    changes,
    unacknowledged,
    unusedAcknowledgements: [...acknowledged].filter((coordinate) => !breaking.has(coordinate)),
    ok: unacknowledged.length === 0,
  };
}

/** The report as `npm run schema:check` prints it; `released` names the released contract's file. */
export function formatReport(report: ContractReport, released = RELEASED_SCHEMA): string {
  const lines: string[] = [];
  const listed = report.changes.filter((change) => change.criticality !== "NON_BREAKING");
  const safe = report.changes.length - listed.length;
  if (report.changes.length === 0) lines.push(`No changes since the released contract (${released}).`);
  else {
    lines.push(`Changes since the released contract (${released}):`);
    for (const change of listed) {
      const status =
        change.criticality !== "BREAKING"
          ? ""
          : change.acknowledged
            ? ` (acknowledged in ${CHANGELOG})`
            : ` (NOT acknowledged in ${CHANGELOG})`;
      lines.push(`  ${change.criticality.padEnd(9)} ${change.coordinate}: ${change.message}${status}`);
      if (change.reason) lines.push(`            ${change.reason}`);
    }
    if (safe > 0) lines.push(`  and ${safe} non-breaking change${safe === 1 ? "" : "s"}.`);
  }
  for (const coordinate of report.unusedAcknowledgements) {
    lines.push(
      `Note: ${CHANGELOG} acknowledges \`${coordinate}\`, which is not a breaking change since the release.`,
    );
  }
  if (report.ok) {
    lines.push("The contract check passes.");
  } else {
    const count = report.unacknowledged.length;
    lines.push(
      `The contract check FAILS: ${count} breaking change${count === 1 ? " is" : "s are"} not acknowledged.`,
      `Clients built on the released contract can break. If that is intended, list each under`,
      `"## Unreleased" / "### Breaking changes" in ${CHANGELOG}, saying what clients do instead:`,
      "",
      ...report.unacknowledged.map((change) => `- \`${change.coordinate}\`: ...`),
    );
  }
  return lines.join("\n");
}

/**
 * CHANGELOG.md once `version` is released on `date`: the Unreleased section becomes that
 * version's, and a new, empty Unreleased section starts above it, so acknowledgements apply
 * to one release only.
 */
export function releaseChangelog(changelog: string, version: string, date: string): string {
  const at = prose(changelog).findIndex((line) => UNRELEASED.test(line));
  if (at < 0) throw new Error(`${CHANGELOG} has no "## Unreleased" section.`);
  const lines = changelog.split(/\r?\n/);
  lines.splice(at, 1, "## Unreleased", "", "### Breaking changes", "", `## ${version} (${date})`);
  return lines.join("\n");
}
