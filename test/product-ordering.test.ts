import { describe, expect, it } from "vitest";
import { compareBigInt, compareText, type Fixture, ids, productCatalog } from "./helpers/product-catalog.ts";
import { startTestServer } from "./helpers/server.ts";

// The products connection's orderBy, with the id as tie-breaker, in one page and across pages.

const server = startTestServer();
// These tests are about the catalog, not permissions (see permissions.test.ts): run as an admin.
const admin = server.as("ADMIN");
const { fixtures, productsPage, walkForward } = productCatalog(admin);

describe("products connection: ordering", () => {
  const keys: Record<string, (a: Fixture, b: Fixture) => number> = {
    NAME: (a, b) => compareText(a.name, b.name),
    PRICE: (a, b) => compareBigInt(a.micros, b.micros),
    CREATED_AT: (a, b) => a.createdAt - b.createdAt,
  };

  function expectedOrder(field: string, direction: "ASC" | "DESC"): string[] {
    const compare = keys[field] as (a: Fixture, b: Fixture) => number;
    const sign = direction === "ASC" ? 1 : -1;
    return ids([...fixtures].sort((a, b) => sign * (compare(a, b) || a.seq - b.seq)));
  }

  it("has ties to break: three products share a name and five share a price", () => {
    expect(fixtures.filter((fixture) => fixture.name === "Widget")).toHaveLength(3);
    expect(fixtures.filter((fixture) => fixture.micros === 10_000_000n)).toHaveLength(5);
  });

  for (const field of ["NAME", "PRICE", "CREATED_AT"]) {
    for (const direction of ["ASC", "DESC"] as const) {
      it(`orders by ${field} ${direction} with id as tie-breaker in the same direction`, async () => {
        const expected = expectedOrder(field, direction);
        const single = await productsPage({ first: 100, orderBy: { field, direction } });
        expect(single.ids).toEqual(expected);
      });

      it(`pages of 2 by ${field} ${direction} neither skip nor repeat across ties`, async () => {
        const expected = expectedOrder(field, direction);
        const pages = await walkForward(2, { orderBy: { field, direction } });
        expect(pages.flatMap((page) => page.ids)).toEqual(expected);
      });
    }
  }

  it("defaults the direction to ASC", async () => {
    const page = await productsPage({ first: 100, orderBy: { field: "NAME" } });
    expect(page.ids).toEqual(expectedOrder("NAME", "ASC"));
  });
});
