import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";

/**
 * The one reader of process.env. Everything configurable is validated here, once, at startup,
 * and the rest of the code receives a typed Config.
 */
const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^file:.+/, "must be file:<path> (SQLite)")
    .default("file:./data/catalog.db"),
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
});

export type Config = {
  environment: "development" | "production" | "test";
  databaseUrl: string;
  host: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Largest `first`/`last` a connection accepts; larger requests are refused, not clamped. */
  maxPageSize: number;
  defaultPageSize: number;
  auth: {
    /** Signs access tokens (HS256). */
    secretKey: string;
    /** True when no SECRET_KEY was set (development/test only): tokens die with the process. */
    secretKeyGenerated: boolean;
    issuer: string;
    audience: string;
    accessTokenSeconds: number;
    refreshTokenSeconds: number;
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
  if (env.NODE_ENV === "production" && !env.SECRET_KEY) {
    throw new ConfigError("Invalid configuration:\n  SECRET_KEY: is required in production");
  }
  return {
    environment: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    maxPageSize: env.MAX_PAGE_SIZE,
    defaultPageSize: env.DEFAULT_PAGE_SIZE,
    auth: {
      secretKey: env.SECRET_KEY ?? randomBytes(48).toString("base64"),
      secretKeyGenerated: !env.SECRET_KEY,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    },
  };
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
