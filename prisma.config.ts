import { defineConfig } from "prisma/config";
import { loadConfig } from "./src/config.ts";
import { createDriverAdapter } from "./src/db/driver-adapter.ts";

// The CLI (generate, migrate) runs Prisma's WebAssembly schema engine through the same driver
// adapter as the server, reading DATABASE_URL the same way, so nothing native is downloaded.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    return createDriverAdapter(loadConfig().databaseUrl);
  },
});
