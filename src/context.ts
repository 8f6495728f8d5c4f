import type { IncomingMessage } from "node:http";
import type { YogaInitialContext } from "graphql-yoga";
import { InvalidTokenError, verifyAccessToken } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import type { DatabaseClient } from "./db/client.ts";
import { AuthenticationError } from "./errors.ts";
import type { Role } from "./generated/prisma/enums.ts";
import type { RateLimits } from "./rate-limits.ts";
import type { CatalogEvents } from "./services/events.ts";

export type CurrentUser = { id: number; role: Role };

/** What every resolver and permission rule receives. Built per request by createApp. */
export type Context = {
  config: Config;
  prisma: DatabaseClient;
  requestId: string;
  /** The user of a valid Bearer token, or null for an anonymous request. */
  user: CurrentUser | null;
  /**
   * Why the request's Bearer token was refused, if it was. The request then fails whole as
   * UNAUTHENTICATED, unless it only asks for credentials (plugins/credentials.ts).
   */
  credentialsError: AuthenticationError | null;
  /**
   * When the request's access token expires (ms since the epoch), or null without one. A
   * subscription started with the token ends then (plugins/subscriptions.ts).
   */
  tokenExpiresAt: number | null;
  /** The client's IP address (from X-Forwarded-For only when TRUST_PROXY is on). */
  clientAddress: string;
  rateLimits: RateLimits;
  /** The app's change events: services publish to them, subscriptions read them. */
  events: CatalogEvents;
};

/**
 * What a service needs: the configuration (which database), the database, where to publish its
 * change events, and who acts (null for scripts such as the seed). A request's Context is one, so
 * resolvers pass theirs as it is.
 */
export type ServiceContext = Pick<Context, "config" | "prisma" | "events" | "user">;

/**
 * What Node's HTTP server hands Yoga with each request; over WebSocket, also the connection the
 * operation came on (src/websocket.ts).
 */
export type ServerContext = YogaInitialContext & { req?: IncomingMessage; connection?: object };

export function clientAddress(request: Request, serverContext: ServerContext, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return serverContext.req?.socket.remoteAddress ?? "unknown";
}

/**
 * The user behind the request's `Authorization: Bearer <token>`, or why the token was refused:
 * a bad, expired or foreign token, or one whose user was deleted. Such a request is never run as
 * anonymous instead (see Context.credentialsError).
 * The role is read from the database, so a role change applies at once, not at token expiry.
 */
export async function authenticate(
  request: Request,
  config: Config,
  prisma: DatabaseClient,
): Promise<Pick<Context, "user" | "credentialsError" | "tokenExpiresAt">> {
  const refused = (message: string) => ({
    user: null,
    credentialsError: new AuthenticationError(message),
    tokenExpiresAt: null,
  });
  const header = request.headers.get("authorization");
  if (header == null) return { user: null, credentialsError: null, tokenExpiresAt: null };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return refused("The Authorization header must be `Bearer <access token>`");
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    claims = await verifyAccessToken(config, match[1]);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    const reason = error.message === "expired" ? "has expired" : "is not valid";
    return refused(`The access token ${reason}; log in or refresh it`);
  }
  const user = await prisma.user.findUnique({
    where: { id: claims.userId },
    select: { id: true, role: true },
  });
  if (!user) return refused("The access token's user no longer exists");
  return { user, credentialsError: null, tokenExpiresAt: claims.expiresAt };
}
