import { inject } from "vitest";

/** A fresh path for a database file in this test run's folder. */
export function databasePath(name: string): string {
  return `${inject("testDirectory")}/${name}`;
}

export function templateDatabasePath(): string {
  return databasePath("template.db");
}
