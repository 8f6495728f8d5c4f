import type { CodegenConfig } from "@graphql-codegen/cli";

// GraphQL Code Generator, client preset: typed documents for the operations in operations/,
// checked against the server's committed contract. Paths are relative to this folder; run
// `npx graphql-codegen` here. A client team outside this repository points `schema` at its copy
// of schema.graphql (or at the server's URL where introspection is on).
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["operations/**/*.graphql"],
  generates: {
    // Not committed (.gitignore): regenerated whenever the operations or the schema change.
    "generated/": {
      preset: "client",
      presetConfig: {
        // Fragments are spread into each operation's type, so a fragment's fields read directly
        // (masking would hide them behind useFragment, which suits component trees, not this).
        fragmentMasking: false,
      },
      config: {
        // Both custom scalars travel as strings: a DateTime in ISO 8601, a Decimal never a float.
        scalars: { DateTime: "string", Decimal: "string" },
        // A custom scalar missing above fails generation instead of quietly typing it `any`.
        strictScalars: true,
        // Enums as string unions: nothing emitted at run time, and literals like "ACTIVE" type-check.
        enumType: "string-literal",
        useTypeImports: true,
        importExtension: ".ts",
      },
    },
  },
};

export default config;
