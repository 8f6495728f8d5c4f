import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { templateDatabase, testDataDirectory } from "./paths.ts";

/**
 * Migrates one template database with the real `prisma migrate deploy`; each test file then
 * copies it, so every file gets a fresh, fully migrated database without paying for the CLI.
 */
export default function setup() {
  rmSync(testDataDirectory, { recursive: true, force: true });
  mkdirSync(testDataDirectory, { recursive: true });
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${templateDatabase}` },
    stdio: "pipe",
  });
}
