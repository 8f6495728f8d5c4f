import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

/** Every installed package (nested ones too) with the Node versions it declares it supports. */
function installedPackages(directory = "node_modules"): { id: string; node?: string }[] {
  const found: { id: string; node?: string }[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const path = join(directory, entry.name);
    if (entry.name.startsWith("@")) {
      found.push(...installedPackages(path));
      continue;
    }
    const manifest = join(path, "package.json");
    if (existsSync(manifest)) {
      const { name, version, engines } = JSON.parse(readFileSync(manifest, "utf8"));
      found.push({ id: `${name}@${version}`, node: engines?.node });
    }
    if (existsSync(join(path, "node_modules"))) found.push(...installedPackages(join(path, "node_modules")));
  }
  return found;
}

/** This project, with the Node versions it promises (package.json's engines). */
function project(): { id: string; node: string } {
  const { name, engines } = JSON.parse(readFileSync("package.json", "utf8"));
  return { id: `${name} (this project)`, node: engines.node };
}

describe("dependencies", () => {
  // A package that requires a newer Node may call an API this one lacks. npm refuses it at install
  // (engine-strict) for the Node that installs; this checks the Node that runs.
  it("all declare support for the Node version running the tests, and so does the project", () => {
    const packages = installedPackages();
    expect(packages.length).toBeGreaterThan(100);
    const unsupported = [project(), ...packages]
      .filter(({ node }) => node && !semver.satisfies(process.version, node))
      .map(({ id, node }) => `${id} wants node ${node}`);
    expect(unsupported).toEqual([]);
  });

  // CI runs one release of each line; this covers the others engines lets users install on.
  it("all accept every Node version the project's engines allows", () => {
    const { node: promised } = project();
    const narrower = installedPackages()
      .filter(({ node }) => node && !semver.subset(promised, node))
      .map(({ id, node }) => `${id} wants node ${node}, not all of ${promised}`);
    expect(narrower).toEqual([]);
  });
});
