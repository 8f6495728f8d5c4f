import type { z } from "zod";
import { ValidationError } from "./errors.ts";

/** Parses mutation input with a zod schema; every problem becomes a per-field message. */
export function validateInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join(".") || "input",
      message: issue.message,
    })),
  );
}
