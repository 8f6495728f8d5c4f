import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: "BAD_REQUEST", http: { status: 400 } } });

/**
 * What is wrong with a JSON-like value, if anything: a string that is not well-formed Unicode
 * (a lone surrogate) or holds a NUL character, or nesting deeper than any real input. Iterative, so no depth of nesting
 * can overflow the stack here.
 */
function malformation(value: unknown): string | null {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (typeof item.value === "string") {
      if (!item.value.isWellFormed()) return "contains a string that is not valid Unicode (a lone surrogate)";
      if (item.value.includes("\u0000")) return NUL_PROBLEM;
    } else if (item.value && typeof item.value === "object") {
      if (item.depth >= MAX_VALUE_DEPTH) return `is nested deeper than ${MAX_VALUE_DEPTH} levels`;
      for (const [key, child] of Object.entries(item.value)) {
        pending.push({ value: key, depth: item.depth }, { value: child, depth: item.depth + 1 });
      }
    }
  }
  return null;
}

const MAX_VALUE_DEPTH = 64;

const NUL_PROBLEM = "contains a NUL character (U+0000), which no text here may hold";
/** A NUL written as a GraphQL string escape, \u0000 or \u{0}; cheaper than walking every parsed document. */
const ESCAPED_NUL = /\\u(?:0000|\{0+\})/i;

/**
 * Malformed requests that would otherwise surface as internal errors get a plain 400:
 * - query-string parameters (GET variables, extensions) that are not JSON;
 * - strings with lone UTF-16 surrogates, which JSON allows but no database can store, or with
 *   NUL characters, which PostgreSQL's text cannot store (SQLite's can: refused on both, so both
 *   behave alike), and variables nested deeper than any real input;
 * - documents nested so deeply that the parser runs out of stack before any limit is checked.
 * And a body no parser takes (multipart above all: the schema has no file upload, see app.ts) gets
 * a 415 that says what to send instead of Yoga's empty one.
 */
export function requestHygiene(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) {
        throw new GraphQLError(
          "The request's Content-Type is not accepted: send a JSON body (application/json) or a query over GET. The API takes no multipart requests or file uploads.",
          { extensions: { code: "UNSUPPORTED_MEDIA_TYPE", http: { status: 415 } } },
        );
      }
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof SyntaxError)
            throw badRequest(`The request is not valid JSON: ${error.message}`);
          throw error;
        }
      });
    },
    onParams({ params }) {
      const problem =
        malformation(params.query) ??
        (typeof params.query === "string" && ESCAPED_NUL.test(params.query) ? NUL_PROBLEM : null) ??
        malformation(params.variables);
      if (problem) throw badRequest(`The request ${problem}`);
    },
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          if (error instanceof RangeError) throw badRequest("The document is nested too deeply to parse");
          throw error;
        }
      });
    },
  };
}
