import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { builder } from "./builder.ts";

export const OrderDirection = builder.enumType("OrderDirection", {
  values: ["ASC", "DESC"] as const,
});

type PageArgs = {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
};

// Every connection here pages by integer id, so each of its cursors is "GPC:N:<id>" in base64.
const CURSOR = /^GPC:N:([1-9][0-9]{0,15})$/;

/**
 * Checks a connection's page arguments, then answers the maximum page size (it is every
 * connection's `maxSize`, which Pothos calls before it reads anything else).
 * - Pothos would silently clamp an oversized page; a client asking for more than the maximum
 *   gets a clear error instead. (Pothos itself refuses a negative size.)
 * - Pothos decodes any cursor it made for any type, and a forged one ("GPC:S:abc") reached the
 *   database as a string id and failed there; a cursor that is not an id of this list is refused.
 */
export function checkPageArgs(args: PageArgs, context: Context): number {
  const max = context.config.maxPageSize;
  for (const name of ["first", "last"] as const) {
    const size = args[name];
    if (size != null && size > max) {
      throw ValidationError.forField(name, `must be at most ${max} (the maximum page size)`);
    }
  }
  for (const name of ["after", "before"] as const) {
    const cursor = args[name];
    if (cursor == null) continue;
    const id = CURSOR.exec(Buffer.from(cursor, "base64").toString("utf8"))?.[1];
    if (id === undefined || !Number.isSafeInteger(Number(id))) {
      throw ValidationError.forField(name, "is not a valid cursor of this list");
    }
  }
  return max;
}

export function defaultPageSize(_args: PageArgs, context: Context): number {
  return context.config.defaultPageSize;
}
