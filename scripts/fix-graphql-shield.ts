// graphql-shield 7.6.5, its last release, imports util.isUndefined, which Node 23 removed: on
// Node 24 its ES module build fails to load ("The requested module 'util' does not provide an
// export named 'isUndefined'") and its CommonJS build throws in chain() and race(). Upstream
// fixed this (maticzav/graphql-shield#1552) but never released it. Until a release has the fix,
// npm runs this after every install (postinstall) to make the same change in node_modules.
// It changes nothing in a build that no longer uses isUndefined, and fails the install if it
// meets one it does not know.
import { readFileSync, writeFileSync } from "node:fs";

const fixes: Record<string, [RegExp, string][]> = {
  "esm/rules.js": [
    [/^import \{ isUndefined \} from 'util';\n/m, ""],
    [/\bisUndefined\(rule\)/g, "rule === undefined"],
  ],
  "cjs/rules.js": [
    [/^const util_1 = require\("util"\);\n/m, ""],
    [/\(0, util_1\.isUndefined\)\(rule\)/g, "rule === undefined"],
  ],
};

for (const [file, replacements] of Object.entries(fixes)) {
  const path = new URL(`../node_modules/graphql-shield/${file}`, import.meta.url);
  const original = readFileSync(path, "utf8");
  if (!original.includes("isUndefined")) continue;
  const fixed = replacements.reduce(
    (text, [pattern, replacement]) => text.replace(pattern, replacement),
    original,
  );
  if (fixed.includes("isUndefined")) {
    console.error(
      `graphql-shield/${file} uses isUndefined in a way scripts/fix-graphql-shield.ts does not know.`,
    );
    process.exit(1);
  }
  writeFileSync(path, fixed);
}
