// The Apollo baseline: Apollo Server with a small SDL and plain hand-written resolvers calling
// the same Prisma client our server builds (createPrisma: Prisma 6.19, better-sqlite3 adapter),
// answering scenarios 0 to 3 with the same JSON as ours (the harness checks it). No DataLoader
// and no query planning: what a team writes from Apollo's and Prisma's getting-started guides.
// Prisma batches the findUnique calls of one tick by itself, so `category` is one query a page;
// a category's `products` is a query per product (scenario 3 shows what that costs).
// Run as a child process: DATABASE_URL (the same file as our server), PORT, NODE_ENV=production.
// Each answer carries the SQL statements run while it was being answered in `x-sql-statements`:
// exact when one request is in flight, as when the harness counts them.

import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { loadConfig } from "../../src/config.ts";
import { createPrisma } from "../../src/db/client.ts";
import { decimalToMicros, microsToDecimal } from "../../src/domain/money.ts";
import type { Category, Prisma, Product } from "../../src/generated/prisma/client.ts";

const typeDefs = /* GraphQL */ `
  scalar Decimal

  type Query {
    products(first: Int!, after: String, filter: ProductFilter): ProductConnection!
    product(id: ID!): Product
  }

  input ProductFilter {
    categoryId: ID
    inStock: Boolean
    price: PriceRange
  }

  input PriceRange {
    min: Decimal
  }

  type ProductConnection {
    edges: [ProductEdge!]!
  }

  type ProductEdge {
    node: Product!
  }

  type Product {
    id: ID!
    name: String!
    sku: String!
    description: String!
    price: Money!
    stock: Int!
    category: Category
  }

  type Money {
    amount: Decimal!
    currency: String!
  }

  type Category {
    name: String!
    products(first: Int!): ProductConnection!
  }
`;

type Filter = {
  categoryId?: string | null;
  inStock?: boolean | null;
  price?: { min?: string | null } | null;
};

const config = loadConfig();
const prisma = createPrisma(config);
let statements = 0;
prisma.$on("query", () => {
  statements += 1;
});

// Anonymous callers see ACTIVE products only, oldest first (as ours answers them).
const visible = { status: "ACTIVE" } as const;
const oldestFirst: Prisma.ProductOrderByWithRelationInput[] = [{ createdAt: "asc" }, { id: "asc" }];

const globalId = (typename: string, id: number) => Buffer.from(`${typename}:${id}`).toString("base64");
function databaseId(typename: string, value: string): number {
  const [name, id] = Buffer.from(value, "base64").toString("utf8").split(":");
  return name === typename && /^\d+$/.test(id ?? "") ? Number(id) : 0;
}

const resolvers = {
  Query: {
    products: async (_: unknown, args: { first: number; after?: string | null; filter?: Filter | null }) => {
      const { filter, after } = args;
      const minimum = filter?.price?.min;
      // Our cursors are "GPC:N:<id>" in base64.
      const cursorId = after ? Number(Buffer.from(after, "base64").toString("utf8").split(":")[2]) : null;
      const products = await prisma.product.findMany({
        ...(cursorId ? { cursor: { id: cursorId }, skip: 1 } : {}),
        where: {
          ...visible,
          ...(filter?.categoryId != null ? { categoryId: databaseId("Category", filter.categoryId) } : {}),
          ...(filter?.inStock != null ? { stock: filter.inStock ? { gt: 0 } : 0 } : {}),
          ...(minimum != null ? { priceMicros: { gte: decimalToMicros(minimum) } } : {}),
        },
        orderBy: oldestFirst,
        take: args.first,
      });
      return { edges: products.map((node) => ({ node })) };
    },
    product: (_: unknown, args: { id: string }) =>
      prisma.product.findUnique({ where: { id: databaseId("Product", args.id), ...visible } }),
  },
  Category: {
    products: async (category: Category, args: { first: number }) => {
      const products = await prisma.product.findMany({
        where: { categoryId: category.id, ...visible },
        orderBy: oldestFirst,
        take: args.first,
      });
      return { edges: products.map((node) => ({ node })) };
    },
  },
  Product: {
    id: (product: Product) => globalId("Product", product.id),
    price: (product: Product) => ({
      amount: microsToDecimal(product.priceMicros, product.currency),
      currency: product.currency,
    }),
    category: (product: Product) =>
      product.categoryId == null ? null : prisma.category.findUnique({ where: { id: product.categoryId } }),
  },
};

const server = new ApolloServer({
  typeDefs,
  resolvers,
  plugins: [
    {
      async requestDidStart() {
        const before = statements;
        return {
          async willSendResponse({ response }) {
            response.http.headers.set("x-sql-statements", String(statements - before));
          },
        };
      },
    },
  ],
});
await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: "127.0.0.1" } });
process.on("SIGTERM", () => {
  void server.stop().then(() => prisma.$disconnect());
});
