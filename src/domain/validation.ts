import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { ValidationError } from "../errors.ts";
import { decimalToMicros, isCurrencyCode, MAX_AMOUNT_UNITS } from "./money.ts";

/**
 * Which input values the services accept: one zod schema per write, with a message per field.
 * The GraphQL input types say which fields exist; these say which values are valid.
 */

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

// ---------------------------------------------------------------------------------------------
// Products

export const MAX_STOCK = 1_000_000_000;

const sku = z
  .string()
  .trim()
  .toUpperCase()
  .regex(
    /^[A-Z0-9][A-Z0-9._-]{1,63}$/,
    "must be 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  );
const productName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const description = z.string().trim().max(10_000, "must be at most 10000 characters");
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCurrencyCode, "must be an ISO 4217 currency code such as EUR");
const price = z.string().transform((value, ctx) => {
  try {
    const micros = decimalToMicros(value);
    if (micros < 0n) ctx.addIssue({ code: "custom", message: "must not be negative" });
    if (micros > MAX_AMOUNT_UNITS * 1_000_000n)
      ctx.addIssue({ code: "custom", message: `must be at most ${MAX_AMOUNT_UNITS}` });
    return micros;
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});
const stock = z.number().int().min(0, "must not be negative").max(MAX_STOCK, `must be at most ${MAX_STOCK}`);
const status = z.enum(["DRAFT", "ACTIVE", "ARCHIVED"]);

export const createProductSchema = z.object({
  sku,
  name: productName,
  description: description.nullish(),
  price,
  costPrice: price.nullish(),
  currency,
  stock,
  status,
});

// null for a non-nullable column means "leave it"; only categoryId (checked apart) can be cleared.
export const updateProductSchema = z.object({
  sku: sku.nullish(),
  name: productName.nullish(),
  description: description.nullish(),
  price: price.nullish(),
  costPrice: price.nullish(),
  currency: currency.nullish(),
  stock: stock.nullish(),
  status: status.nullish(),
});

export const adjustStockSchema = z.object({
  delta: z
    .number()
    .int()
    .min(-MAX_STOCK, `must be at least -${MAX_STOCK}`)
    .max(MAX_STOCK, `must be at most ${MAX_STOCK}`)
    .refine((value) => value !== 0, "must not be zero"),
});

// ---------------------------------------------------------------------------------------------
// Categories

const categoryName = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lower-case letters and digits separated by single '-'")
  .max(100, "must be at most 100 characters");

export const createCategorySchema = z.object({ name: categoryName, slug });
export const updateCategorySchema = z.object({ name: categoryName.nullish(), slug: slug.nullish() });

/** "Kitchen & Dining" → "kitchen-dining": the slug of a category created without one. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

// ---------------------------------------------------------------------------------------------
// Accounts

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be an email address"));

export const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

const accountName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

export const accountSchema = z.object({ email, name: accountName, password });

/** An edit of an account's profile; null or absent leaves a field as it is. */
export const accountChangesSchema = z.object({ email: email.nullish(), name: accountName.nullish() });

export const changePasswordSchema = z.object({ newPassword: password });
