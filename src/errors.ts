import { PothosValidationError } from "@pothos/core";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { type ExecutionResult, GraphQLError } from "graphql";
import { maskError as yogaMaskError } from "graphql-yoga";

/**
 * The expected failures the API reports. Each is a GraphQLError with a stable extensions.code,
 * so a query field that throws one gives a clear, unmasked GraphQL error, and a mutation that
 * lists it in `errors.types` returns it as a typed member of its result union instead.
 */
export abstract class CatalogError extends GraphQLError {
  abstract readonly code: string;
}

export type FieldError = { field: string; message: string };

export class ValidationError extends CatalogError {
  readonly code = "BAD_USER_INPUT";
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[]) {
    super(`Invalid input: ${fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, {
      extensions: { code: "BAD_USER_INPUT", fieldErrors },
    });
    this.fieldErrors = fieldErrors;
  }

  static forField(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

/** The id clients know an object by (a Relay global id), for errors that name one. */
export function publicId(typename: string, databaseId: number): string {
  return encodeGlobalID(typename, databaseId);
}

export class NotFoundError extends CatalogError {
  readonly code = "NOT_FOUND";
  /** The global id that was not found. */
  readonly id: string;
  readonly typename: string;
  constructor(typename: string, databaseId: number) {
    const id = publicId(typename, databaseId);
    super(`${typename} ${id} was not found`, { extensions: { code: "NOT_FOUND" } });
    this.id = id;
    this.typename = typename;
  }
}

export class ConflictError extends CatalogError {
  readonly code = "CONFLICT";
  readonly field: string;
  constructor(message: string, field: string) {
    super(message, { extensions: { code: "CONFLICT", field } });
    this.field = field;
  }
}

export class InsufficientStockError extends CatalogError {
  readonly code = "INSUFFICIENT_STOCK";
  readonly available: number;
  readonly requested: number;
  constructor(available: number, requested: number) {
    super(`Insufficient stock: ${requested} requested, ${available} available`, {
      extensions: { code: "INSUFFICIENT_STOCK", available, requested },
    });
    this.available = available;
    this.requested = requested;
  }
}

/** No credentials where they are needed, or credentials that are not valid (HTTP 401). */
export class AuthenticationError extends CatalogError {
  readonly code = "UNAUTHENTICATED";
  constructor(message = "You must be logged in to do this") {
    super(message, {
      extensions: {
        code: "UNAUTHENTICATED",
        http: { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="catalog"' } },
      },
    });
  }
}

/** Valid credentials without the role or ownership the operation needs. */
export class ForbiddenError extends CatalogError {
  readonly code = "FORBIDDEN";
  constructor(message = "You are not allowed to do this") {
    super(message, { extensions: { code: "FORBIDDEN" } });
  }
}

/** Too many requests of a kind from one client; retryAfterSeconds says when to try again. */
export class RateLimitedError extends CatalogError {
  readonly code = "RATE_LIMITED";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`Too many requests; try again in ${retryAfterSeconds} s`, {
      extensions: {
        code: "RATE_LIMITED",
        retryAfterSeconds,
        http: { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } },
      },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class TooManySubscriptionsError extends CatalogError {
  readonly code = "TOO_MANY_SUBSCRIPTIONS";
  constructor(scope: "connection" | "user", limit: number) {
    const whose = scope === "connection" ? "on this connection" : "for this user (or address)";
    super(`At most ${limit} subscriptions may be live at once ${whose}; end one first`, {
      extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit },
    });
  }
}

/**
 * Yoga's error masking (unexpected errors become "Unexpected error.", with details only in
 * development), plus a code for the input checks Pothos makes itself (a malformed cursor or global
 * ID, a negative page size), which arrive without one, so clients can tell bad input by its code.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  if (isPothosInputError(error)) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
    });
  }
  return yogaMaskError(error, message, isDev);
}

/**
 * An input check Pothos made itself (a malformed cursor or global ID, `before` with `after`, a
 * negative page size): the client's mistake, though it arrives without a code.
 */
export function isPothosInputError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && error.originalError instanceof PothosValidationError;
}

/**
 * The extensions.code an execution error reaches the client with, once masked: its own, or the one
 * maskError gives it (BAD_USER_INPUT, or INTERNAL_SERVER_ERROR for an unexpected error). Hooks
 * that see a result before Yoga masks it (which it does last) read the code here.
 */
export function finalCode(error: GraphQLError): string {
  const masked = maskError(error, "Unexpected error.", false);
  return String((masked instanceof GraphQLError && masked.extensions.code) || "ERROR");
}

/**
 * The extensions.code of every error in an answer, including answers refused before execution
 * (parse, validation, limits). A streamed answer's errors are not collected.
 */
export function errorCodes(
  result: ExecutionResult | readonly ExecutionResult[] | AsyncIterable<unknown>,
): string[] {
  const results = Array.isArray(result) ? result : Symbol.asyncIterator in result ? [] : [result];
  return (results as ExecutionResult[]).flatMap(({ errors }) =>
    (errors ?? []).map((error) => String(error.extensions?.code ?? "ERROR")),
  );
}
