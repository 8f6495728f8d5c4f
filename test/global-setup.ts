import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../src/db/migrations.ts";
import { createEmptyDatabase, dropDatabases, type TestDatabase } from "./databases.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's own folder for database files (concurrent runs never share one). */
    testDirectory: string;
    /** The database this project's tests run against (vitest.config.ts: one project per database). */
    testDatabase: TestDatabase;
  }
}

/**
 * Migrates one template database with the runner `npm run db:migrate` uses; each test file then
 * copies it, so every file gets a fresh, fully migrated database without migrating again. A SQLite
 * template is made for every project (some tests are about SQLite files); the postgresql project
 * also gets a PostgreSQL template database, copied with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  mkdirSync("data/test", { recursive: true });
  const testDirectory = mkdtempSync(`${process.cwd()}/data/test/run-`);
  await migrateDatabase(`file:${testDirectory}/template.db`);
  project.provide("testDirectory", testDirectory);
  if (project.name !== "postgresql") {
    project.provide("testDatabase", { provider: "sqlite" });
    return () => rmSync(testDirectory, { recursive: true, force: true });
  }
  // Databases of this run are named after it, so concurrent runs never touch each other's.
  const prefix = `catalog_test_${randomBytes(4).toString("hex")}`;
  const template = await createEmptyDatabase(`${prefix}_template`);
  await migrateDatabase(template.url);
  project.provide("testDatabase", { provider: "postgresql", prefix, template: template.name });
  return async () => {
    await dropDatabases(prefix);
    rmSync(testDirectory, { recursive: true, force: true });
  };
}
