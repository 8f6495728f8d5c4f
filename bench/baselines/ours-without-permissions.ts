// Our server as src/server.ts starts it, serving the Pothos schema before src/auth/permissions.ts
// applies the rule tree: the bench loads it beside ours to measure what the permission rules cost
// under load. Never a way to serve the API.

import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { builder } from "../../src/schema/builder.ts";
// Registers every type and field on the builder (and builds the served schema, unused here).
import "../../src/schema/index.ts";

const app = await createApp(loadConfig(), { schema: builder.toSchema() });
await app.listen();
