import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { DateTimeResolver } from "graphql-scalars";
import type { Context } from "../context.ts";
import { MAX_IDS_PER_LOOKUP } from "../db/statement-limits.ts";
import { ValidationError } from "../errors.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";

const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * The one SchemaBuilder. It holds no per-app state: the Prisma client comes from each request's
 * context, so one schema serves any number of apps, each with its own database.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Decimal: { Input: string; Output: string };
  };
}>({
  plugins: [ErrorsPlugin, RelayPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // The N+1 test counts statements instead; this check would cost a Proxy per resolver.
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodesQueryOptions: {
      description: `The objects of these ids, in the same order; null where there is none. At most ${MAX_IDS_PER_LOOKUP} ids.`,
      // Prisma looks the ids up in one statement (src/db/statement-limits.ts).
      resolve: (_root, { ids }, _context, _info, resolveNodes) => {
        if (ids.length > MAX_IDS_PER_LOOKUP) {
          throw ValidationError.forField(
            "ids",
            `must list at most ${MAX_IDS_PER_LOOKUP} ids, not ${ids.length}`,
          );
        }
        return resolveNodes(ids);
      },
    },
  },
  errors: {
    // Mutations answer `<Name>Result = <Name>Payload | <typed errors>`.
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Payload` },
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
  },
});

builder.addScalarType("DateTime", DateTimeResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
