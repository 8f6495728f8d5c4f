import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";

/**
 * The one reader of process.env. Everything configurable is validated here, once, at startup,
 * and the rest of the code receives a typed Config.
 */
const booleanText = z.enum(["true", "false", "1", "0"]).transform((text) => text === "true" || text === "1");

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)/, "must be file:<path> (SQLite) or postgresql://… (PostgreSQL)")
    .default("file:./data/catalog.db"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  SECRET_KEY: z
    .string()
    .min(32, "must be at least 32 characters (e.g. `openssl rand -base64 48`)")
    .optional(),
  JWT_ISSUER: z.string().min(1).default("catalog-api"),
  JWT_AUDIENCE: z.string().min(1).default("catalog-api"),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 86_400)
    .default(30 * 86_400),

  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(10),
  STARTUP_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3_600).default(30),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(1),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(100_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  EXECUTION_TIMEOUT_MS: z.coerce.number().int().min(10).default(10_000),
  MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  MAX_TOKENS: z.coerce.number().int().min(10).default(2_000),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  MAX_COST: z.coerce.number().int().min(1).default(20_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(50),
  INTROSPECTION: booleanText.optional(),
  CORS_ORIGINS: z.string().optional(),
  TRUSTED_DOCUMENTS: z.string().min(1).optional(),
  TRUST_PROXY: booleanText.default(false),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be redis://… or rediss://…")
    .optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default("catalog"),
  RESPONSE_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_MUTATIONS: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_AUTH_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  RATE_LIMIT_AUTH_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  METRICS: booleanText.default(true),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  METRICS_TOKEN: z
    .string()
    .min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://localhost:4318" })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("catalog-api"),
});

/** Every variable the configuration reads (the README and .env.example document each). */
export const configVariables = Object.keys(environmentSchema.shape);

export type Config = {
  environment: "development" | "production" | "test";
  databaseUrl: string;
  /** Which database DATABASE_URL names, read once here. */
  databaseProvider: DatabaseProvider;
  /** PostgreSQL: most connections each process opens (SQLite has one). */
  databasePoolSize: number;
  /** How long startup waits for the database (then fails) and Redis (then goes on without). */
  startupTimeoutMs: number;
  /** Server processes sharing the port (src/workers.ts); 1: this process serves. */
  workers: number;
  host: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Largest `first`/`last` a connection accepts; larger requests are refused, not clamped. */
  maxPageSize: number;
  defaultPageSize: number;
  auth: {
    /** Signs access tokens (HS256). */
    secretKey: string;
    /** True when no SECRET_KEY was set (development and test only). */
    secretKeyGenerated: boolean;
    /**
     * Development without SECRET_KEY: the git-ignored file beside the database that keeps the
     * generated key, so a restart does not log everyone out. Null otherwise (in tests the key is
     * random per process, and tokens die with it).
     */
    secretKeyFile: string | null;
    issuer: string;
    audience: string;
    accessTokenSeconds: number;
    refreshTokenSeconds: number;
  };
  http: {
    /** In-flight requests get this long to finish after SIGTERM. */
    shutdownTimeoutMs: number;
    maxBodyBytes: number;
    /** A client gets this long to send a whole request, headers and body (slow clients hold sockets). */
    requestTimeoutMs: number;
    /** Browser origins allowed to call the API ("*" for any); empty: same-origin only. */
    corsOrigins: string[];
    /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
    trustProxy: boolean;
    /** Prometheus metrics; null when they are off (METRICS=false). */
    metrics: {
      /** A listener of their own on this port (on HOST), instead of the public one; null: none. */
      port: number | null;
      /** When set, a scrape must send `Authorization: Bearer <token>`, on whichever listener. */
      token: string | null;
      /**
       * Whether the public listener serves /metrics: when they have no port of their own, and in
       * production only behind a token (the public listener is the internet's).
       */
      onPublicListener: boolean;
    } | null;
  };
  /** OpenTelemetry: where spans are sent (OTLP over HTTP); no tracing when null. */
  tracing: { endpoint: string; serviceName: string } | null;
  /** Limits checked on every operation before it runs. */
  limits: {
    executionTimeoutMs: number;
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    introspection: boolean;
    /** Path of a JSON manifest { "<hash>": "<document>" }: when set, only these operations run. */
    trustedDocuments: string | null;
    /** Live subscriptions at once on one WebSocket or graphql-sse connection. */
    subscriptionsPerConnection: number;
    /** Live subscriptions at once of one user (anonymous: of one client address), in one process. */
    subscriptionsPerUser: number;
  };
  /**
   * Redis, shared by every process of a deployment: rate-limit counters and change events live
   * there when `url` is set, in each process's memory when it is null.
   */
  redis: {
    url: string | null;
    /** Prefix of every Redis key and pub/sub channel, so several deployments can share one Redis. */
    keyPrefix: string;
  };
  /**
   * Query answers kept per role (plugins/response-cache.ts), in Redis when `redis.url` is set;
   * null when the cache is off (RESPONSE_CACHE_TTL_SECONDS=0).
   */
  responseCache: {
    /** How long an answer is kept at most; any catalog change drops every answer at once. */
    ttlSeconds: number;
  } | null;
  rateLimit: {
    windowSeconds: number;
    requests: number;
    mutations: number;
    authWindowSeconds: number;
    authAttempts: number;
  };
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Environment = Record<string, string | undefined>;

/** Builds the Config from an environment (by default: .env file, overridden by process.env). */
export function loadConfig(environment: Environment = readEnvironment()): Config {
  const parsed = environmentSchema.safeParse(blankToUndefined(environment));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const env = parsed.data;
  if (env.DEFAULT_PAGE_SIZE > env.MAX_PAGE_SIZE) {
    throw new ConfigError("Invalid configuration:\n  DEFAULT_PAGE_SIZE: must not exceed MAX_PAGE_SIZE");
  }
  const isProduction = env.NODE_ENV === "production";
  if (isProduction && !env.SECRET_KEY) {
    throw new ConfigError("Invalid configuration:\n  SECRET_KEY: is required in production");
  }
  const secretKeyFile =
    env.NODE_ENV === "development" && !env.SECRET_KEY ? developmentKeyFile(env.DATABASE_URL) : null;
  if (env.WEB_CONCURRENCY > 1 && !env.SECRET_KEY && !secretKeyFile) {
    // Each worker would sign with a random key of its own, and refuse the others' tokens.
    throw new ConfigError("Invalid configuration:\n  SECRET_KEY: is required with WEB_CONCURRENCY above 1");
  }
  return {
    environment: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    databaseProvider: databaseProvider(env.DATABASE_URL),
    databasePoolSize: env.DATABASE_POOL_SIZE,
    startupTimeoutMs: env.STARTUP_TIMEOUT_SECONDS * 1000,
    workers: env.WEB_CONCURRENCY,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    maxPageSize: env.MAX_PAGE_SIZE,
    defaultPageSize: env.DEFAULT_PAGE_SIZE,
    auth: {
      secretKey: env.SECRET_KEY ?? (secretKeyFile ? keptDevelopmentKey(secretKeyFile) : generatedSecretKey()),
      secretKeyGenerated: !env.SECRET_KEY,
      secretKeyFile,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    },
    http: {
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
      maxBodyBytes: env.MAX_BODY_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      corsOrigins: (env.CORS_ORIGINS ?? (isProduction ? "" : "*"))
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
      trustProxy: env.TRUST_PROXY,
      metrics: env.METRICS
        ? {
            port: env.METRICS_PORT ?? null,
            token: env.METRICS_TOKEN ?? null,
            onPublicListener: env.METRICS_PORT == null && (!isProduction || env.METRICS_TOKEN != null),
          }
        : null,
    },
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ""), serviceName: env.OTEL_SERVICE_NAME }
      : null,
    limits: {
      executionTimeoutMs: env.EXECUTION_TIMEOUT_MS,
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxTokens: env.MAX_TOKENS,
      maxDirectives: env.MAX_DIRECTIVES,
      maxCost: env.MAX_COST,
      introspection: env.INTROSPECTION ?? !isProduction,
      trustedDocuments: env.TRUSTED_DOCUMENTS ?? null,
      subscriptionsPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      subscriptionsPerUser: env.MAX_SUBSCRIPTIONS_PER_USER,
    },
    redis: { url: env.REDIS_URL ?? null, keyPrefix: env.REDIS_KEY_PREFIX },
    responseCache: env.RESPONSE_CACHE_TTL_SECONDS > 0 ? { ttlSeconds: env.RESPONSE_CACHE_TTL_SECONDS } : null,
    rateLimit: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      requests: env.RATE_LIMIT_REQUESTS,
      mutations: env.RATE_LIMIT_MUTATIONS,
      authWindowSeconds: env.RATE_LIMIT_AUTH_WINDOW_SECONDS,
      authAttempts: env.RATE_LIMIT_AUTH_ATTEMPTS,
    },
  };
}

function generatedSecretKey(): string {
  return randomBytes(48).toString("base64");
}

/** The two databases a DATABASE_URL can name: `file:` for SQLite, `postgresql://` (or `postgres://`). */
export type DatabaseProvider = "sqlite" | "postgresql";

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgresql";
  throw new ConfigError(
    `DATABASE_URL: unsupported scheme in "${redactUrl(databaseUrl)}"; use file:<path> for SQLite or postgresql://… for PostgreSQL`,
  );
}

/** The URL with its user and password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/** A file: URL's path, resolved against the working directory (the project root for npm scripts). */
export function sqliteFilename(databaseUrl: string): string {
  return resolve(databaseUrl.slice("file:".length).replace(/\?.*$/, ""));
}

/** Beside a SQLite database (./data by default), or in ./data for PostgreSQL; .gitignore names it. */
function developmentKeyFile(databaseUrl: string): string {
  const folder =
    databaseProvider(databaseUrl) === "sqlite" ? dirname(sqliteFilename(databaseUrl)) : resolve("data");
  return join(folder, "development-secret-key");
}

/**
 * The development key kept in `file`, created on first use. Created whole or not at all (written
 * aside, then hard-linked into place, which fails if it exists), so processes starting together
 * (npm start beside npm run dev) end up with the same key.
 */
function keptDevelopmentKey(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const draft = `${file}.${process.pid}.tmp`;
    writeFileSync(draft, `${generatedSecretKey()}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const key = readFileSync(file, "utf8").trim();
  if (key.length < 32) {
    throw new ConfigError(
      `Invalid configuration:\n  SECRET_KEY: not set, and ${file} holds no usable development key (delete it to get a new one)`,
    );
  }
  return key;
}

function readEnvironment(): Environment {
  const fromFile = existsSync(".env") ? parseDotenv(readFileSync(".env")) : {};
  return { ...fromFile, ...process.env };
}

// An exported-but-empty variable (`PORT=`) means "use the default", as in most tools.
function blankToUndefined(environment: Environment): Environment {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value === "" ? undefined : value]),
  );
}
