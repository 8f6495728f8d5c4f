import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { builder } from "./builder.ts";

export const OrderDirection = builder.enumType("OrderDirection", {
  values: ["ASC", "DESC"] as const,
});

type PageArgs = { first?: number | null; last?: number | null };

/**
 * Passed as `maxSize` to every connection. Pothos would silently clamp an oversized page; a
 * client asking for more than the maximum gets a clear error instead. (Pothos itself refuses a
 * negative size before this runs.)
 */
export function maxPageSize(args: PageArgs, context: Context): number {
  const max = context.config.maxPageSize;
  for (const name of ["first", "last"] as const) {
    const size = args[name];
    if (size != null && size > max) {
      throw ValidationError.forField(name, `must be at most ${max} (the maximum page size)`);
    }
  }
  return max;
}

export function defaultPageSize(_args: PageArgs, context: Context): number {
  return context.config.defaultPageSize;
}
