import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * `npm run test:mutation` (Stryker) runs these test files for every mutant: the ones that guard
 * the mutated modules. The whole suite per mutant would take hours on two cores. (Stryker's own
 * `testFiles` option would do the same, but with it mutants in module-level code are activated
 * only after the module has loaded and reported as survivors: stryker-js issue 6144, seen here.)
 */
export default defineConfig(async (environment) => {
  const config = await base(environment);
  return {
    ...config,
    test: {
      ...config.test,
      // Against SQLite only: a mutant's survival does not depend on the database.
      projects: undefined,
      include: [
        "test/permissions.test.ts",
        "test/visibility.test.ts",
        "test/sign-up.test.ts",
        "test/sessions.test.ts",
        "test/passwords.test.ts",
        "test/access-tokens.test.ts",
        "test/accounts.test.ts",
        "test/account-privacy.test.ts",
        "test/money.test.ts",
        "test/product-creation.test.ts",
        "test/product-updates.test.ts",
        "test/product-stock.test.ts",
        "test/product-deletion.test.ts",
        "test/product-search-text.test.ts",
        "test/category-creation.test.ts",
        "test/category-reads.test.ts",
        "test/category-changes.test.ts",
        "test/events.test.ts",
        "test/production-errors.test.ts",
      ],
    },
  };
});
