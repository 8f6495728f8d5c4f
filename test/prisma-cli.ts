import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";

const run = promisify(execFile);
const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");

/**
 * Runs the project's own Prisma CLI against one SQLite file. Not through npx, and asynchronously,
 * so a slow run under a loaded machine cannot freeze the test worker past its timeout.
 * CHECKPOINT_DISABLE stops the CLI's usage report: tests have no business phoning home.
 */
export async function prismaCli(args: string[], databaseFile: string): Promise<string> {
  const { stdout } = await run(process.execPath, [cli, ...args], {
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  return stdout;
}
