import { hashRefreshToken, newRefreshToken, signAccessToken } from "../auth/tokens.ts";
import type { Context } from "../context.ts";
import { AuthenticationError } from "../errors.ts";
import type { Prisma, User } from "../generated/prisma/client.ts";

/** What logging in, signing up and refreshing answer: a token pair for the user. */
export type AuthPayload = {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: User;
};

/** Issues a new access token and a new stored refresh token for the user. */
export async function startSession(
  context: Pick<Context, "config" | "prisma">,
  user: User,
): Promise<AuthPayload> {
  const { auth } = context.config;
  const refreshToken = newRefreshToken();
  const now = Date.now();
  const refreshTokenExpiresAt = new Date(now + auth.refreshTokenSeconds * 1000);
  // Spent tokens (rotated, logged out, expired) are of no further use. Dropping the user's on each
  // new session keeps about one row per live session instead of one per refresh, forever.
  await context.prisma.refreshToken.deleteMany({
    where: { userId: user.id, OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: new Date(now) } }] },
  });
  await context.prisma.refreshToken.create({
    data: { tokenHash: hashRefreshToken(refreshToken), userId: user.id, expiresAt: refreshTokenExpiresAt },
  });
  return {
    accessToken: await signAccessToken(context.config, { userId: user.id, role: user.role }),
    accessTokenExpiresAt: new Date(now + auth.accessTokenSeconds * 1000),
    refreshToken,
    refreshTokenExpiresAt,
    user,
  };
}

/**
 * Trades a refresh token for a new pair. The old token is revoked by a conditional update, so
 * of two concurrent refreshes with the same token exactly one succeeds.
 */
export async function refreshSession(context: Context, refreshToken: string): Promise<AuthPayload> {
  const stored = await context.prisma.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    include: { user: true },
  });
  if (!stored || stored.revokedAt || stored.expiresAt.getTime() <= Date.now()) {
    throw new AuthenticationError("The refresh token is not valid; log in again");
  }
  const { count } = await context.prisma.refreshToken.updateMany({
    where: { id: stored.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count !== 1) throw new AuthenticationError("The refresh token is not valid; log in again");
  return startSession(context, stored.user);
}

/** Revokes one refresh token. Unknown or already revoked tokens are fine: the outcome is the same. */
export async function endSession(context: Context, refreshToken: string): Promise<void> {
  await context.prisma.refreshToken.updateMany({
    where: { tokenHash: hashRefreshToken(refreshToken), revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/** Revokes every refresh token of a user (after a password change, say), in the given transaction. */
export async function endAllSessions(transaction: Prisma.TransactionClient, userId: number): Promise<void> {
  await transaction.refreshToken.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
