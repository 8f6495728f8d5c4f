import { type ExecutionArgs, type ExecutionResult, getOperationAST, Kind } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context.ts";

/** Mutations that act on the credentials they are given, never on the caller's identity. */
const CREDENTIAL_MUTATIONS = new Set(["logIn", "signUp", "refreshToken", "logOut"]);

/**
 * A request whose Bearer token was refused fails whole as UNAUTHENTICATED (HTTP 401), before
 * anything runs, rather than running as anonymous. The exception is an operation made only of
 * credential mutations: a client whose access token has just expired, and whose HTTP client
 * still sends it, must be able to refresh it (or log in again).
 */
export function refuseBadCredentials(): Plugin<Context> {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs;
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const error = (args.contextValue as Context).credentialsError;
    if (!error) return;
    const operation = getOperationAST(args.document, args.operationName);
    const onlyCredentialMutations =
      operation?.operation === "mutation" &&
      operation.selectionSet.selections.every(
        (selection) => selection.kind === Kind.FIELD && CREDENTIAL_MUTATIONS.has(selection.name.value),
      );
    // Answered rather than thrown: every transport (HTTP, graphql-sse, WebSocket) sends an
    // answer as it is, while a thrown error is a server fault to some of them.
    if (!onlyCredentialMutations) setResultAndStopExecution({ errors: [error] });
  };
  // Subscriptions start through onSubscribe, not onExecute; they must not slip past.
  return { onExecute: check, onSubscribe: check };
}
