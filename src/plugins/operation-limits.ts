import { readFileSync } from "node:fs";
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Config } from "../config.ts";

/**
 * What an operation must respect before and while it runs. Shape limits (depth, aliases, tokens,
 * directives, cost) are checked by graphql-armor while the document is validated, so a hostile
 * query is refused before any resolver runs, with a message naming the limit it broke.
 */
export function operationLimits(limits: Config["limits"]): Plugin[] {
  const onReject = [markAsRequestError];
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, onReject },
    maxAliases: { n: limits.maxAliases, onReject },
    maxTokens: { n: limits.maxTokens, onReject },
    maxDirectives: { n: limits.maxDirectives, onReject },
    costLimit: { maxCost: limits.maxCost, onReject },
    // Replaced by hideSchemaSuggestions below, which also covers enum values and variables.
    blockFieldSuggestion: { enabled: false },
  });
  return [
    ...(armor.protect().plugins as Plugin[]),
    ...(limits.introspection ? [] : [useDisableIntrospection() as Plugin, hideSchemaSuggestions()]),
    ...(limits.trustedDocuments ? [trustedDocumentsOnly(limits.trustedDocuments)] : []),
    executionTimeout(limits.executionTimeoutMs),
  ];
}

/**
 * How Yoga marks an error that refuses the request as a whole, so that the status follows the
 * GraphQL-over-HTTP spec: a client that accepts application/graphql-response+json gets 400 (an
 * answer without `data` must be 4xx or 5xx there), one that accepts only application/json gets 200
 * (`spec: true` is Yoga's flag for that split, the one it gives its own validation errors).
 */
const REQUEST_ERROR_HTTP = { status: 400, spec: true } as const;

/**
 * graphql-armor throws its refusal out of validation (so a hostile document is not validated any
 * further), which bypasses Yoga's marking of validation errors: without this, it would be a 200.
 */
function markAsRequestError(_context: unknown, error: GraphQLError) {
  error.extensions.http = { ...REQUEST_ERROR_HTTP };
}

/**
 * With introspection off, "Did you mean ...?" hints would still let a client map the schema one
 * typo at a time (fields, arguments, enum values, input fields in variables). They are cut from
 * every error message of every answer, whatever phase produced them.
 */
function hideSchemaSuggestions(): Plugin {
  const withoutSuggestion = (error: GraphQLError) => {
    const message = error.message.replace(/\s*Did you mean [^?]*\?/g, "");
    return message === error.message
      ? error
      : new GraphQLError(message, {
          nodes: error.nodes,
          path: error.path,
          extensions: error.extensions,
          originalError: error.originalError,
        });
  };
  const clean = (result: ExecutionResult): ExecutionResult =>
    result.errors ? { ...result, errors: result.errors.map(withoutSuggestion) } : result;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(clean));
      else if (!(Symbol.asyncIterator in result)) setResult(clean(result as ExecutionResult));
    },
  };
}

/**
 * Answers an operation that runs longer than the limit with a TIMEOUT error. graphql-js cannot
 * abort a running execution, so its remaining resolvers finish unobserved; each database
 * statement is short, and the client is no longer kept waiting.
 */
function executionTimeout(milliseconds: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ errors: GraphQLError[] }>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                errors: [
                  new GraphQLError(`The operation took longer than ${milliseconds} ms and was stopped`, {
                    extensions: { code: "TIMEOUT", http: { status: 503 } },
                  }),
                ],
              }),
            milliseconds,
          );
        });
        try {
          return await Promise.race([executeFn(args), timeout]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
}

/**
 * Trusted documents: only the operations of a manifest generated from the clients' code
 * ({ "<id>": "<document>" }, as the Relay and GraphQL Codegen persisted-document tools write it)
 * are run; any other operation is refused. Clients send `{ "documentId": "<id>" }` (or the
 * Apollo-style persistedQuery extension).
 */
function trustedDocumentsOnly(manifestPath: string): Plugin {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, string>;
  const documents = new Map(Object.entries(manifest));
  return usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id) ?? null,
    allowArbitraryOperations: false,
    // The plugin's own messages and codes, marked as request errors (see REQUEST_ERROR_HTTP).
    customErrors: {
      notFound: () => refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_IN_LIST"),
      keyNotFound: () => refusal("PersistedQueryKeyNotFound", "PERSISTED_QUERY_ID_REQUIRED"),
      persistedQueryOnly: () => refusal("PersistedQueryOnly", "CANNOT_SEND_PQ_ID_AND_BODY"),
    },
    extractPersistedOperationId: (params) => {
      const body = params as {
        documentId?: unknown;
        extensions?: { persistedQuery?: { sha256Hash?: unknown } };
      };
      const id = body.documentId ?? body.extensions?.persistedQuery?.sha256Hash;
      return typeof id === "string" ? id : null;
    },
  }) as Plugin;
}

function refusal(message: string, code: string) {
  return new GraphQLError(message, { extensions: { code, http: { ...REQUEST_ERROR_HTTP } } });
}
