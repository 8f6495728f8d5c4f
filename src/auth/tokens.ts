import { createHash, randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Config } from "../config.ts";
import type { Role } from "../generated/prisma/enums.ts";

/**
 * Access tokens: short-lived HS256 JWTs naming the user (sub) and role. Only HS256 is accepted
 * on the way in, so `alg: none` and algorithm-confusion tokens fail verification.
 * Refresh tokens: long random strings, stored only as SHA-256 hashes so they can be revoked
 * and a database leak does not leak usable tokens.
 */

export type AccessClaims = { userId: number; role: Role };

const ALGORITHM = "HS256";

function key(config: Config): Uint8Array {
  return new TextEncoder().encode(config.auth.secretKey);
}

export async function signAccessToken(config: Config, claims: AccessClaims): Promise<string> {
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(String(claims.userId))
    .setIssuer(config.auth.issuer)
    .setAudience(config.auth.audience)
    .setIssuedAt()
    .setExpirationTime(`${config.auth.accessTokenSeconds}s`)
    .sign(key(config));
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/**
 * The claims of a valid access token and when it expires (ms since the epoch); InvalidTokenError
 * (with a reason) for anything else.
 */
export async function verifyAccessToken(
  config: Config,
  token: string,
): Promise<AccessClaims & { expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(token, key(config), {
      algorithms: [ALGORITHM],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const userId = Number(payload.sub);
    const role = payload.role;
    if (!Number.isSafeInteger(userId) || (role !== "ADMIN" && role !== "STAFF" && role !== "CUSTOMER")) {
      throw new InvalidTokenError("malformed claims");
    }
    return { userId, role, expiresAt: (payload.exp as number) * 1000 };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError("expired");
    if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError("invalid");
    throw error;
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
