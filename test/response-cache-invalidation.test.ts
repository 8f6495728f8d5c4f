import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { schema } from "../src/schema/index.ts";
import { createCategory, createProduct } from "./helpers/fixtures.ts";
import { ERROR_FIELDS } from "./helpers/operations.ts";
import { cachedAndUncachedServers, expectAnsweredFromCache, type Viewer } from "./helpers/response-cache.ts";
import type { GraphQLResponse } from "./helpers/server.ts";

// After any mutation, every answer the cache gives is what a fresh read gives. For each catalog
// mutation (and each kind of change it makes), a whole view of the catalog is cached for each
// role, the change is made, and every answer of the cached server is compared with the same query
// sent to a server without a cache on the same database.

const { cached, uncached, viewer, ask, statementsDuring } = cachedAndUncachedServers();
const admin = cached.as("ADMIN");
const viewers = [viewer("anonymous"), viewer("CUSTOMER"), viewer("STAFF")];

/** What each test starts from, made afresh for each, so no test depends on another's changes. */
type Catalog = {
  tag: string;
  /** Top-level; `child` is below it. */
  parent: string;
  child: string;
  childSlug: string;
  /** Top-level, empty of products. */
  other: string;
  /** Top-level, empty, nothing below it: can be deleted. */
  spare: string;
  /** ACTIVE, in `child`, 5 in stock, with a cost price. */
  active: string;
  activeSku: string;
  /** DRAFT, in `child`. */
  draft: string;
  draftSku: string;
  /** A word no product has: lists searching it are empty until a change adds it. */
  newWord: string;
};

async function setUpCatalog(): Promise<Catalog> {
  const tag = randomUUID().slice(0, 8);
  const parent = await createCategory(admin, `Parent ${tag}`);
  const childSlug = `child-${tag}`;
  const child = await createCategory(admin, `Child ${tag}`, { parentId: parent, slug: childSlug });
  const other = await createCategory(admin, `Other ${tag}`);
  const spare = await createCategory(admin, `Spare ${tag}`);
  const activeSku = `ACTIVE-${tag}`.toUpperCase();
  const draftSku = `DRAFT-${tag}`.toUpperCase();
  const active = await createProduct(admin, {
    sku: activeSku,
    name: `Active ${tag}`,
    status: "ACTIVE",
    categoryId: child,
    costPrice: "4.00",
    stock: 5,
  });
  const draft = await createProduct(admin, { sku: draftSku, name: `Draft ${tag}`, categoryId: child });
  return {
    tag,
    parent,
    child,
    childSlug,
    other,
    spare,
    active,
    activeSku,
    draft,
    draftSku,
    newWord: `novel${tag}`,
  };
}

/** Every field of a product the viewer may see (the cost price: staff only). */
const productFields = (who: Viewer) =>
  `id sku name description stock status price { amount currency } category { id name slug }
   ${who.name === "anonymous" || who.name === "CUSTOMER" ? "" : "costPrice { amount currency }"}`;

const LIST = (fields: string) => `totalCount edges { node { ${fields} } }`;
const CATEGORY_PAGE = (fields: string) =>
  `id name slug parent { id name } children { id name slug } products(first: 100) { ${LIST(fields)} }`;

/** A view of the catalog: each product and category by every way in, and every kind of list. */
function catalogView(catalog: Catalog, who: Viewer): [label: string, query: string, variables?: object][] {
  const fields = productFields(who);
  const filtered = `query ($filter: ProductFilter) { products(first: 100, filter: $filter) { ${LIST(fields)} } }`;
  return [
    ["active product by id", `query ($id: ID!) { product(id: $id) { ${fields} } }`, { id: catalog.active }],
    ["draft product by id", `query ($id: ID!) { product(id: $id) { ${fields} } }`, { id: catalog.draft }],
    [
      "product by sku",
      `query ($sku: String!) { productBySku(sku: $sku) { ${fields} } }`,
      { sku: catalog.activeSku },
    ],
    [
      "draft product by sku",
      `query ($sku: String!) { productBySku(sku: $sku) { ${fields} } }`,
      { sku: catalog.draftSku },
    ],
    [
      "product by node",
      `query ($id: ID!) { node(id: $id) { ... on Product { ${fields} } } }`,
      { id: catalog.active },
    ],
    [
      "nodes",
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { ${fields} } ... on Category { name slug } } }`,
      { ids: [catalog.active, catalog.draft, catalog.child, catalog.spare] },
    ],
    ["every product", `{ products(first: 100) { ${LIST(fields)} } }`],
    ["the latest products", `{ products(last: 10) { ${LIST(fields)} } }`],
    ["products of the child category", filtered, { filter: { categoryId: catalog.child } }],
    [
      "products below the parent category",
      filtered,
      { filter: { categoryId: catalog.parent, includeSubcategories: true } },
    ],
    ["products of the other category", filtered, { filter: { categoryId: catalog.other } }],
    ["products matching a word no product has yet", filtered, { filter: { search: catalog.newWord } }],
    ["products matching the tag", filtered, { filter: { search: catalog.tag } }],
    ["products out of stock", filtered, { filter: { search: catalog.tag, inStock: false } }],
    ["products in stock", filtered, { filter: { search: catalog.tag, inStock: true } }],
    ["products under 10", filtered, { filter: { search: catalog.tag, price: { max: "10.00" } } }],
    ["product count", "{ products { totalCount } }"],
    [
      "child category page",
      `query ($id: ID!) { category(id: $id) { ${CATEGORY_PAGE(fields)} } }`,
      { id: catalog.child },
    ],
    [
      "parent category page",
      `query ($id: ID!) { category(id: $id) { ${CATEGORY_PAGE(fields)} } }`,
      { id: catalog.parent },
    ],
    [
      "spare category page",
      `query ($id: ID!) { category(id: $id) { ${CATEGORY_PAGE(fields)} } }`,
      { id: catalog.spare },
    ],
    [
      "category by slug",
      `query ($slug: String!) { categoryBySlug(slug: $slug) { ${CATEGORY_PAGE(fields)} } }`,
      { slug: catalog.childSlug },
    ],
    [
      "every category",
      "{ categories(first: 100) { totalCount edges { node { id name slug parent { id } } } } }",
    ],
    ["the latest categories", "{ categories(last: 10) { totalCount edges { node { id name slug } } } }"],
    [
      "top-level categories",
      "{ categories(topLevelOnly: true, last: 20) { totalCount edges { node { id name } } } }",
    ],
  ];
}

/** Runs a catalog mutation as an admin through the cached server; fails unless it succeeded. */
async function change(mutation: string, input: Record<string, unknown>) {
  const inputType = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  const body = await admin.graphql(
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { ${ERROR_FIELDS} } }`,
    { input },
  );
  expect(body.data?.[mutation]?.__typename, JSON.stringify(body)).toMatch(/Payload$/);
}

type Change = { what: string; make(catalog: Catalog): Promise<void> };

/**
 * Every mutation that changes catalog data, and each kind of change it makes: each must leave
 * no stale answer in the cache.
 */
const CATALOG_CHANGES: Record<string, Change[]> = {
  createProduct: [
    {
      what: "an ACTIVE product in the child category, named with the new word",
      make: (c) =>
        change("createProduct", {
          sku: `NEW-${c.tag}`,
          name: `Kettle ${c.newWord} ${c.tag}`,
          price: "7.00",
          currency: "EUR",
          status: "ACTIVE",
          categoryId: c.child,
          stock: 2,
        }),
    },
    {
      what: "a DRAFT product in the other category",
      make: (c) =>
        change("createProduct", {
          sku: `NEW-${c.tag}`,
          name: `Draft kettle ${c.tag}`,
          price: "7.00",
          currency: "EUR",
          categoryId: c.other,
        }),
    },
  ],
  updateProduct: [
    {
      what: "a name with the new word",
      make: (c) => change("updateProduct", { id: c.active, name: c.newWord }),
    },
    {
      what: "a description",
      make: (c) => change("updateProduct", { id: c.active, description: `Now with ${c.newWord}` }),
    },
    { what: "a sku", make: (c) => change("updateProduct", { id: c.active, sku: `RENAMED-${c.tag}` }) },
    { what: "a price", make: (c) => change("updateProduct", { id: c.active, price: "12.00" }) },
    { what: "a cost price", make: (c) => change("updateProduct", { id: c.active, costPrice: "5.50" }) },
    { what: "a currency", make: (c) => change("updateProduct", { id: c.active, currency: "USD" }) },
    { what: "the stock, to none", make: (c) => change("updateProduct", { id: c.active, stock: 0 }) },
    {
      what: "status ACTIVE to DRAFT",
      make: (c) => change("updateProduct", { id: c.active, status: "DRAFT" }),
    },
    {
      what: "status DRAFT to ACTIVE",
      make: (c) => change("updateProduct", { id: c.draft, status: "ACTIVE" }),
    },
    {
      what: "a move to another category",
      make: (c) => change("updateProduct", { id: c.active, categoryId: c.other }),
    },
    {
      what: "a move out of every category",
      make: (c) => change("updateProduct", { id: c.active, categoryId: null }),
    },
  ],
  adjustStock: [
    { what: "units added", make: (c) => change("adjustStock", { productId: c.active, delta: 3 }) },
    { what: "every unit removed", make: (c) => change("adjustStock", { productId: c.active, delta: -5 }) },
  ],
  deleteProduct: [
    { what: "an ACTIVE product", make: (c) => change("deleteProduct", { id: c.active }) },
    { what: "a DRAFT product", make: (c) => change("deleteProduct", { id: c.draft }) },
  ],
  createCategory: [
    {
      what: "a category below the parent",
      make: (c) => change("createCategory", { name: `New ${c.tag}`, parentId: c.parent }),
    },
    { what: "a top-level category", make: (c) => change("createCategory", { name: `New ${c.tag}` }) },
  ],
  updateCategory: [
    {
      what: "a rename of the products' category",
      make: (c) => change("updateCategory", { id: c.child, name: `Renamed ${c.tag}` }),
    },
    { what: "a new slug", make: (c) => change("updateCategory", { id: c.child, slug: `moved-${c.tag}` }) },
    {
      what: "a move below another category (no product changes)",
      make: (c) => change("updateCategory", { id: c.child, parentId: c.other }),
    },
    {
      what: "a move to the top level",
      make: (c) => change("updateCategory", { id: c.child, parentId: null }),
    },
  ],
  deleteCategory: [{ what: "an empty category", make: (c) => change("deleteCategory", { id: c.spare }) }],
};

/** Mutations that change no catalog data, so no cached answer (catalog reads only) can go stale. */
const ACCOUNT_MUTATIONS: Record<string, string> = {
  logIn: "issues tokens; `me` and anything about accounts is never cached",
  logOut: "revokes a refresh token, which no query shows",
  refreshToken: "issues tokens",
  signUp: "creates an account; `users` is never cached",
  changePassword: "changes a password and revokes tokens, which no query shows",
  updateUser: "changes an account; `me`, `users` and User objects are never cached",
  setUserRole:
    "changes a role: the key is the role read with each request, so the user's next request gets the new role's answers",
};

it("has an invalidation test for every mutation, or a reason why it changes nothing cached", () => {
  const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
  expect(mutations.sort()).toEqual(
    [...Object.keys(CATALOG_CHANGES), ...Object.keys(ACCOUNT_MUTATIONS)].sort(),
  );
});

describe.each(Object.entries(CATALOG_CHANGES))("%s", (_mutation, changes) => {
  it.each(changes)("$what: every cached answer then equals a fresh read's", async ({ make }) => {
    const catalog = await setUpCatalog();
    const before = new Map<string, GraphQLResponse>();
    for (const who of viewers) {
      for (const [label, query, variables] of catalogView(catalog, who)) {
        const first = await ask(cached, who, query, variables as Record<string, unknown>);
        expect(first.errors, `${who.name}, ${label}`).toBeUndefined();
        let second: GraphQLResponse = {};
        const statements = await statementsDuring(async () => {
          second = await ask(cached, who, query, variables as Record<string, unknown>);
        });
        expectAnsweredFromCache(who, statements, second);
        expect(second).toEqual(first);
        before.set(`${who.name}, ${label}`, first);
      }
    }

    await make(catalog);

    let changed = 0;
    for (const who of viewers) {
      for (const [label, query, variables] of catalogView(catalog, who)) {
        const fresh = await ask(uncached, who, query, variables as Record<string, unknown>);
        const answer = await ask(cached, who, query, variables as Record<string, unknown>);
        expect(answer, `${who.name}, ${label}`).toEqual(fresh);
        if (JSON.stringify(fresh) !== JSON.stringify(before.get(`${who.name}, ${label}`))) changed += 1;
      }
    }
    // The change shows in the view, so a cache that kept its answers would have failed above.
    expect(changed).toBeGreaterThan(0);
  });
});
