import {
  AuthenticationError,
  ConflictError,
  InsufficientStockError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { builder } from "./builder.ts";

// The typed errors a mutation can answer with. Clients can select `... on Error { message code }`
// for any of them, and the specific type for details.

const ErrorInterface = builder.interfaceRef<Error & { code: string }>("Error").implement({
  description: "An expected failure: the request was understood but could not be carried out.",
  fields: (t) => ({
    message: t.exposeString("message"),
    code: t.exposeString("code", { description: "Stable machine-readable code, e.g. NOT_FOUND." }),
  }),
});

const FieldErrorType = builder.objectRef<{ field: string; message: string }>("FieldError").implement({
  description: "What is wrong with one input field.",
  fields: (t) => ({
    field: t.exposeString("field", { description: "Path of the input field, e.g. price.amount." }),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input was rejected; fieldErrors says what to fix. Nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "A referenced object does not exist. Nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID("id", { description: "The id that was not found." }),
  }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description:
    "The change conflicts with existing data (a duplicate sku or slug, a category still in use). Nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString("field", { description: "The input field that conflicts." }),
  }),
});

builder.objectType(InsufficientStockError, {
  name: "InsufficientStockError",
  description: "A stock decrease larger than the stock on hand. Nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    available: t.exposeInt("available", { description: "Units on hand when the request ran." }),
    requested: t.exposeInt("requested", { description: "Units the request tried to remove." }),
  }),
});

builder.objectType(AuthenticationError, {
  name: "AuthenticationError",
  description: "Credentials or a token that are not valid. Nothing was written.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

/** The errors every catalog mutation can answer with. */
export const mutationErrors = { types: [ValidationError, NotFoundError, ConflictError] };
