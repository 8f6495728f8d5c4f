import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import {
  acknowledgedBreakingChanges,
  checkContract,
  formatReport,
  releaseChangelog,
} from "../scripts/schema-contract.ts";

// The schema contract check (npm run schema:check): its core on edited copies of the real
// schema and changelog, then the scripts themselves as npm runs them, on the real repository and
// on copies.

const run = promisify(execFile);
// Each script run starts Node and builds the schema in a child process: slow on a loaded machine.
const SCRIPT_TIMEOUT = 120_000;

const schema = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
const changelog = readFileSync(new URL("../CHANGELOG.md", import.meta.url), "utf8");

/** The schema with `from` replaced by `to`; fails when `from` is not in it, so no edit is silently lost. */
function edited(from: string, to: string, sdl = schema): string {
  if (!sdl.includes(from)) throw new Error(`The schema no longer contains ${JSON.stringify(from)}`);
  return sdl.replace(from, to);
}

/** A changelog whose Unreleased breaking changes list these items. */
function acknowledging(...items: string[]): string {
  // The last such heading: the first is the example in the changelog's introduction.
  const section = "## Unreleased\n\n### Breaking changes\n";
  const at = changelog.lastIndexOf(section);
  if (at < 0) throw new Error("CHANGELOG.md has no Unreleased breaking changes");
  const end = at + section.length;
  return `${changelog.slice(0, end)}\n${items.join("\n")}\n${changelog.slice(end)}`;
}

/** The Product type's sku field, with its description. */
const SKU_FIELD = '  """Stock keeping unit: unique, upper case."""\n  sku: String!\n';

const breakingChanges = [
  {
    what: "a field removed",
    current: edited(SKU_FIELD, ""),
    coordinate: "Product.sku",
  },
  {
    what: "a non-null field made nullable",
    current: edited(
      "  description: String!\n  id: ID!\n  name: String!\n  price: Money!",
      "  description: String\n  id: ID!\n  name: String!\n  price: Money!",
    ),
    coordinate: "Product.description",
  },
  {
    what: "a nullable argument made non-null",
    current: edited("    productId: ID\n  ): ProductChange!", "    productId: ID!\n  ): ProductChange!"),
    coordinate: "Subscription.productChanged.productId",
  },
  {
    what: "a required argument added",
    current: edited(
      "productBySku(sku: String!): Product",
      "productBySku(exact: Boolean!, sku: String!): Product",
    ),
    coordinate: "Query.productBySku.exact",
  },
  {
    what: "a required input field added",
    current: edited(
      "input LogInInput {\n  email: String!",
      "input LogInInput {\n  email: String!\n  otp: String!",
    ),
    coordinate: "LogInInput.otp",
  },
];

describe("the schema contract check", () => {
  it("finds no change between the committed schema and itself", async () => {
    const report = await checkContract({ released: schema, current: schema, changelog });
    expect(report).toEqual({ changes: [], unacknowledged: [], unusedAcknowledgements: [], ok: true });
  });

  it.each(breakingChanges)(
    "fails on $what that the changelog does not acknowledge",
    async ({ current, coordinate }) => {
      const report = await checkContract({ released: schema, current, changelog });
      expect(report.ok).toBe(false);
      expect(report.unacknowledged.map((change) => change.coordinate)).toEqual([coordinate]);
      expect(report.unacknowledged[0]).toMatchObject({ criticality: "BREAKING", acknowledged: false });
      expect(formatReport(report)).toMatch(
        new RegExp(
          `BREAKING +${coordinate.replaceAll(".", "\\.")}: .* \\(NOT acknowledged in CHANGELOG\\.md\\)`,
        ),
      );
      expect(formatReport(report)).toContain(`- \`${coordinate}\`: ...`);
    },
  );

  it.each(breakingChanges)(
    "passes $what listed under the Unreleased breaking changes",
    async ({ current, coordinate }) => {
      const report = await checkContract({
        released: schema,
        current,
        changelog: acknowledging(`- \`${coordinate}\`: clients do something else now.`),
      });
      expect(report.ok).toBe(true);
      expect(report.changes.filter((change) => change.criticality === "BREAKING")).toEqual([
        expect.objectContaining({ coordinate, acknowledged: true }),
      ]);
      const printed = formatReport(report);
      expect(printed).toMatch(
        new RegExp(`BREAKING +${coordinate.replaceAll(".", "\\.")}: .* \\(acknowledged in CHANGELOG\\.md\\)`),
      );
      expect(printed).toMatch(/\nThe contract check passes\.$/);
    },
  );

  it("counts only a coordinate that opens an Unreleased breaking-change item", async () => {
    const current = breakingChanges[0]?.current as string;
    const notAcknowledging = [
      // Named in the text of another change's item, not as its coordinate.
      acknowledging("- `Product.code`: added, replacing `Product.sku`."),
      // In a released version's section: it was acknowledged for that release only.
      edited(
        "## 0.1.0 (2026-11-26)\n",
        "## 0.1.0 (2026-11-26)\n\n### Breaking changes\n\n- `Product.sku`: gone.\n",
        changelog,
      ),
      // In a fenced example.
      edited(
        "### Breaking changes\n\n- `Product.sku`: removed",
        "### Breaking changes\n\n- `Product.sku`: gone",
        changelog,
      ),
      // Under another heading of the Unreleased section.
      edited("## Unreleased\n", "## Unreleased\n\n### Removed\n\n- `Product.sku`: gone.\n", changelog),
    ];
    for (const text of notAcknowledging) {
      expect(acknowledgedBreakingChanges(text).has("Product.sku"), text).toBe(false);
      expect((await checkContract({ released: schema, current, changelog: text })).ok).toBe(false);
    }
  });

  it("reports a dangerous change (an enum value added) and passes", async () => {
    const current = edited("  DRAFT\n}", "  DRAFT\n\n  RETIRED\n}");
    const report = await checkContract({ released: schema, current, changelog });
    expect(report.ok).toBe(true);
    expect(report.changes).toEqual([
      expect.objectContaining({ criticality: "DANGEROUS", coordinate: "ProductStatus.RETIRED" }),
    ]);
    expect(formatReport(report)).toMatch(
      /^ {2}DANGEROUS +ProductStatus\.RETIRED: Enum value 'RETIRED' was added/m,
    );
  });

  it("lists breaking changes before dangerous ones and counts the safe ones", async () => {
    const current = edited("  DRAFT\n}", "  DRAFT\n\n  RETIRED\n}", edited(SKU_FIELD, "  weight: Int\n"));
    const report = await checkContract({ released: schema, current, changelog });
    expect(report.changes.map((change) => [change.criticality, change.coordinate])).toEqual([
      ["BREAKING", "Product.sku"],
      ["DANGEROUS", "ProductStatus.RETIRED"],
      ["NON_BREAKING", "Product.weight"],
    ]);
    expect(formatReport(report)).toContain("and 1 non-breaking change.");
  });

  it("notes an acknowledgement that matches no breaking change, without failing", async () => {
    const report = await checkContract({
      released: schema,
      current: schema,
      changelog: acknowledging("- `Product.barcode`: removed."),
    });
    expect(report).toMatchObject({ ok: true, unusedAcknowledgements: ["Product.barcode"] });
    expect(formatReport(report)).toContain("acknowledges `Product.barcode`, which is not a breaking change");
  });

  it("files the Unreleased section under the version on release, and starts an empty one", () => {
    const before = acknowledging("- `Product.sku`: removed.");
    const after = releaseChangelog(before, "0.2.0", "2026-12-01");
    expect(acknowledgedBreakingChanges(before)).toEqual(new Set(["Product.sku"]));
    expect(acknowledgedBreakingChanges(after)).toEqual(new Set());
    expect(after).toContain(
      "## Unreleased\n\n### Breaking changes\n\n## 0.2.0 (2026-12-01)\n\n### Breaking changes\n\n- `Product.sku`: removed.\n",
    );
  });
});

describe("npm run schema:check and schema:release", () => {
  const script = (path: string, args: string[] = []) =>
    run(process.execPath, [path, ...args], { env: { ...process.env, NODE_ENV: "test" } });

  it(
    "pass on the repository as committed",
    async () => {
      // Rejects (failing the test) when the script exits non-zero.
      const { stdout } = await script("scripts/schema-check.ts");
      expect(stdout).toContain("The contract check passes.");
    },
    SCRIPT_TIMEOUT,
  );

  it(
    "fail with the change listed when the code broke the released contract, until acknowledged; release records it",
    async () => {
      const folder = mkdtempSync(`${inject("testDirectory")}/contract-`);
      const released = `${folder}/released-schema.graphql`;
      const changelogCopy = `${folder}/CHANGELOG.md`;
      // A released contract with a field the code no longer has.
      writeFileSync(released, edited(SKU_FIELD, `  barcode: String\n${SKU_FIELD}`));
      writeFileSync(changelogCopy, changelog);
      const options = ["--released", released, "--changelog", changelogCopy];

      const failed = await script("scripts/schema-check.ts", options).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(
        /BREAKING +Product\.barcode: Field 'barcode' was removed .* \(NOT acknowledged/,
      );

      const refused = await script("scripts/schema-release.ts", ["0.2.0", ...options]).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toContain("Nothing released.");
      expect(readFileSync(changelogCopy, "utf8")).toBe(changelog);

      writeFileSync(changelogCopy, acknowledging("- `Product.barcode`: removed; use `Product.sku`."));
      expect((await script("scripts/schema-check.ts", options)).stdout).toContain(
        "The contract check passes.",
      );

      await script("scripts/schema-release.ts", ["0.2.0", ...options]);
      expect(readFileSync(released, "utf8")).toBe(schema);
      expect(readFileSync(changelogCopy, "utf8")).toMatch(
        /## Unreleased\n\n### Breaking changes\n\n## 0\.2\.0 \(\d{4}-\d\d-\d\d\)\n\n### Breaking changes\n\n- `Product\.barcode`/,
      );
      const { stdout } = await script("scripts/schema-check.ts", options);
      expect(stdout).toContain("No changes since the released contract");
    },
    SCRIPT_TIMEOUT,
  );
});
