import type { YogaInitialContext } from "graphql-yoga";
import type { Config } from "./config.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";

/** What every resolver receives. Built per request by createApp. */
export type Context = {
  config: Config;
  prisma: PrismaClient;
  requestId: string;
};

export type ServerContext = YogaInitialContext;
