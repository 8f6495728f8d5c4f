import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../src/db/migrations.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's own folder for database files (concurrent runs never share one). */
    testDirectory: string;
  }
}

/**
 * Migrates one template database with the runner `npm run db:migrate` uses; each test file then
 * copies it, so every file gets a fresh, fully migrated database without migrating again.
 */
export default async function setup(project: TestProject) {
  mkdirSync("data/test", { recursive: true });
  const testDirectory = mkdtempSync(`${process.cwd()}/data/test/run-`);
  migrateDatabase(`file:${testDirectory}/template.db`);
  project.provide("testDirectory", testDirectory);
  return () => rmSync(testDirectory, { recursive: true, force: true });
}
