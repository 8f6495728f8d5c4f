import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from "../auth/passwords.ts";
import type { ServiceContext } from "../context.ts";
import { conflictOnUnique } from "../db/unique-conflicts.ts";
import {
  accountChangesSchema,
  accountSchema,
  changePasswordSchema,
  validateInput,
} from "../domain/validation.ts";
import { AuthenticationError, NotFoundError, ValidationError } from "../errors.ts";
import type { Role, User } from "../generated/prisma/client.ts";
import { endAllSessions } from "./sessions.ts";

/**
 * Every write of an account (sessions, the refresh tokens, are in services/sessions.ts). Accounts
 * publish no change events: nothing subscribes to them yet.
 */

/**
 * Creates a user with a hashed password: the one way in for sign-up and `npm run user:create`.
 * Invalid input is a ValidationError and a taken email a ConflictError; nothing is written then.
 */
export async function createAccount(
  context: Pick<ServiceContext, "prisma">,
  input: { email: string; name: string; password: string },
  role: Role,
): Promise<User> {
  const data = validateInput(accountSchema, input);
  const passwordHash = await hashPassword(data.password);
  return conflictOnUnique(["email"], () =>
    context.prisma.user.create({ data: { email: data.email, name: data.name, passwordHash, role } }),
  );
}

/**
 * Changes the acting user's password and revokes every refresh token they have, together: never
 * one without the other. Answers the updated user, for a new session.
 */
export async function changePassword(
  context: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<User> {
  const userId = context.user?.id;
  if (userId == null) throw new AuthenticationError();
  const { newPassword } = validateInput(changePasswordSchema, input);
  const user = await context.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  await requireCurrentPassword(user, input.currentPassword);
  const passwordHash = await hashPassword(newPassword);
  return context.prisma.$transaction(async (transaction) => {
    await endAllSessions(transaction, userId);
    return transaction.user.update({ where: { id: userId }, data: { passwordHash } });
  });
}

/**
 * Changes an account's name or email (null or absent: unchanged). Changing one's own email, the
 * log-in, also needs the current password: a stolen access token alone must not be enough to
 * take the account over.
 */
export async function updateUser(
  context: ServiceContext,
  id: number,
  input: { name?: string | null; email?: string | null; currentPassword?: string | null },
): Promise<User> {
  const changes = validateInput(accountChangesSchema, input);
  const user = await context.prisma.user.findUnique({ where: { id } });
  if (!user) throw new NotFoundError("User", id);
  if (changes.email != null && changes.email !== user.email && id === context.user?.id) {
    await requireCurrentPassword(user, input.currentPassword ?? "");
  }
  return conflictOnUnique(["email"], () =>
    context.prisma.user.update({
      where: { id },
      data: { name: changes.name ?? undefined, email: changes.email ?? undefined },
    }),
  );
}

/** Gives a user a role. Not one's own: an admin demoting themself could leave nobody able to manage roles. */
export async function setUserRole(context: ServiceContext, id: number, role: Role): Promise<User> {
  if (id === context.user?.id)
    throw ValidationError.forField("userId", "admins cannot change their own role");
  const { count } = await context.prisma.user.updateMany({ where: { id }, data: { role } });
  if (count === 0) throw new NotFoundError("User", id);
  return context.prisma.user.findUniqueOrThrow({ where: { id } });
}

/** Asks a logged-in user to prove it is them before a sensitive change. An over-long input is never hashed. */
async function requireCurrentPassword(user: { passwordHash: string }, currentPassword: string) {
  const valid =
    currentPassword.length <= MAX_PASSWORD_LENGTH &&
    (await verifyPassword(currentPassword, user.passwordHash));
  if (!valid) throw new AuthenticationError("The current password is not correct");
}
