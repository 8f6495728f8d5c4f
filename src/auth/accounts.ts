import { z } from "zod";
import type { DatabaseClient } from "../db/client.ts";
import { conflictOnUnique } from "../db/unique-conflicts.ts";
import type { Role, User } from "../generated/prisma/client.ts";
import { validateInput } from "../validation.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwords.ts";

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

const name = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

const account = z.object({ email, name, password });

/** An edit of an account's profile; null or absent leaves a field as it is. */
export const accountChanges = z.object({ email: email.nullish(), name: name.nullish() });

/**
 * Creates a user with a hashed password: the one way in for sign-up and `npm run user:create`.
 * Invalid input is a ValidationError and a taken email a ConflictError; nothing is written then.
 */
export async function createAccount(
  prisma: DatabaseClient,
  input: { email: string; name: string; password: string },
  role: Role,
): Promise<User> {
  const data = validateInput(account, input);
  const passwordHash = await hashPassword(data.password);
  return conflictOnUnique(["email"], () =>
    prisma.user.create({ data: { email: data.email, name: data.name, passwordHash, role } }),
  );
}
