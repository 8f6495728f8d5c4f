import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from "graphql";
import { isAsyncIterable, type Plugin, type YogaLogger } from "graphql-yoga";
import { pino } from "pino";
import type { Config } from "../config.ts";
import type { Context } from "../context.ts";
import { errorCodes, isPothosInputError } from "../errors.ts";

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stdout, one line per event. Tokens, passwords and cookies are redacted
 * wherever they appear in a logged object, so no secret reaches the logs by accident.
 */
export function createLogger(level: Config["logLevel"]): Logger {
  return pino({
    level,
    // The pid tells apart the workers of one server (WEB_CONCURRENCY).
    base: { service: "catalog-api", pid: process.pid },
    redact: {
      paths: [
        "headers.authorization",
        "headers.cookie",
        "*.password",
        "*.currentPassword",
        "*.newPassword",
        "*.accessToken",
        "*.refreshToken",
        "variables.input.password",
        "variables.input.currentPassword",
        "variables.input.newPassword",
        "variables.input.refreshToken",
      ],
      censor: "[redacted]",
    },
  });
}

/**
 * Yoga's own messages (startup, plugin warnings) through the same logger. Yoga also logs, at error
 * level, every error that masking replaces; the input errors maskError only gives a code to are a
 * client's mistake, not the server's, so they go to debug: one misbehaving client must not fill
 * the error log. (The request line's outcome still names their code.)
 */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: unknown, ...details: unknown[]) =>
      details.length ? logger[level]({ details }, String(message)) : logger[level](String(message));
  const debug = forward("debug");
  const error = forward("error");
  return {
    debug,
    info: forward("info"),
    warn: forward("warn"),
    error: (message, ...details) => (isPothosInputError(message) ? debug : error)(message, ...details),
  };
}

/** Whether an error is a bug or an outage (to log and mask) rather than an expected answer. */
function isUnexpected(error: GraphQLError): boolean {
  return error.originalError != null && !(error.originalError instanceof GraphQLError);
}

/**
 * One log line per GraphQL request (request id, operation, duration, outcome), and one per
 * unexpected error in execution with its cause and path. An operation on a WebSocket is no HTTP
 * request of its own: it gets an "operation" line when it is answered. Every subscription, on
 * any transport, gets a "subscription ended" line with how long it lived. Masking is Yoga's
 * (src/errors.ts).
 */
export function requestLogging(logger: Logger): Plugin<Context> {
  const started = new WeakMap<Request, { at: number; operationName?: string; errorCodes: string[] }>();
  const nameOf = (args: { document: DocumentNode; operationName?: string | null }) =>
    args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value ?? undefined;
  const sinceMs = (at: number) => Math.round((performance.now() - at) * 10) / 10;
  const operationAnswered = (
    context: Context,
    args: { document: DocumentNode; operationName?: string | null },
    at: number,
    result: ExecutionResult,
  ) => {
    const codes = errorCodes(result);
    logger.info(
      {
        requestId: context.requestId,
        operationName: nameOf(args),
        durationMs: sinceMs(at),
        outcome: codes.length ? codes.join(",") : "ok",
      },
      "operation",
    );
  };
  return {
    onRequest({ request }) {
      started.set(request, { at: performance.now(), errorCodes: [] });
    },
    onExecute({ args }) {
      const context = args.contextValue;
      const entry = started.get(context.request);
      if (entry) entry.operationName = nameOf(args);
      const at = performance.now();
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          for (const error of (("errors" in result && result.errors) || []).filter(isUnexpected)) {
            logger.error(
              { requestId: context.requestId, path: error.path?.join("."), err: error.originalError },
              "Unexpected error",
            );
          }
          if (!entry) operationAnswered(context, args, at, result);
        },
      };
    },
    onSubscribe({ args }) {
      const context = args.contextValue;
      const entry = started.get(context.request);
      if (entry) entry.operationName = nameOf(args);
      const at = performance.now();
      return {
        onSubscribeResult({ result }) {
          // Refused before it started: answered at once, like a query.
          if (!isAsyncIterable(result)) {
            if (!entry) operationAnswered(context, args, at, result);
            return;
          }
          return {
            onEnd() {
              logger.info(
                { requestId: context.requestId, operationName: nameOf(args), durationMs: sinceMs(at) },
                "subscription ended",
              );
            },
          };
        },
      };
    },
    // Every answer passes here, including those refused before execution (parse, validation,
    // limits), so the outcome names every error code the client received.
    onResultProcess({ request, result }) {
      started.get(request)?.errorCodes.push(...errorCodes(result));
    },
    onResponse({ request, response }) {
      const entry = started.get(request);
      if (!entry) return;
      const url = new URL(request.url);
      logger.info(
        {
          requestId: response.headers.get("x-request-id"),
          method: request.method,
          path: url.pathname,
          status: response.status,
          operationName: entry.operationName,
          durationMs: sinceMs(entry.at),
          outcome: entry.errorCodes.length
            ? entry.errorCodes.join(",")
            : response.status < 400
              ? "ok"
              : "error",
        },
        "request",
      );
    },
  };
}
