// SQL statements per request of our server: each scenario's first request, run once through an
// app built in this process by createApp on the same database file and configuration as the
// child under load, counting the statements its Prisma client reports (as
// test/query-plan.test.ts counts them). The same code runs in the child, so it runs the same SQL.

import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { type BenchData, requestHeaders, type Scenario } from "./scenarios.ts";
import { ourEnvironment } from "./targets.ts";

export async function countStatements(
  databaseFile: string,
  scenarios: Scenario[],
  data: BenchData,
): Promise<Map<number, number>> {
  const app = await createApp(loadConfig(ourEnvironment(databaseFile)));
  let statements = 0;
  app.prisma.$on("query", () => {
    statements += 1;
  });
  const counts = new Map<number, number>();
  try {
    for (const scenario of scenarios) {
      // Not the load's first request, which scenario 4 would then try to create a second time.
      const body = scenario.body(data, 999_999_999);
      statements = 0;
      const response = await app.yoga.fetch("http://bench/graphql", {
        method: "POST",
        headers: requestHeaders(scenario, data),
        body,
      });
      const text = await response.text();
      if (!scenario.ok(text))
        throw new Error(`scenario ${scenario.id} failed in process: ${text.slice(0, 500)}`);
      counts.set(scenario.id, statements);
    }
  } finally {
    await app.prisma.$disconnect();
    await app.eventBus.close();
  }
  return counts;
}
