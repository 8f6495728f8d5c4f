import { GraphQLError, Kind } from "graphql";
import { isDecimalString, microsToDecimal } from "../domain/money.ts";
import { builder } from "./builder.ts";

builder.scalarType("Decimal", {
  description:
    'An exact decimal number written as a string, e.g. "12.50". Never a float, so no amount is rounded in transit.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== "string" || !isDecimalString(value)) {
      throw new GraphQLError('Decimal must be a string such as "12.50"');
    }
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !isDecimalString(ast.value)) {
      throw new GraphQLError('Decimal must be a string such as "12.50"');
    }
    return ast.value;
  },
});

type MoneyValue = { micros: bigint; currency: string };

export const Money = builder.objectRef<MoneyValue>("Money").implement({
  description: "An amount in a currency (ISO 4217), exact to the currency's minor unit.",
  fields: (t) => ({
    amount: t.field({
      type: "Decimal",
      description:
        'The amount with the currency\'s own number of decimals, e.g. "12.50" for EUR, "1200" for JPY.',
      resolve: ({ micros, currency }) => microsToDecimal(micros, currency),
    }),
    currency: t.exposeString("currency", { description: "ISO 4217 currency code, e.g. EUR." }),
  }),
});
