import { builder } from "./builder.ts";
import "./errors.ts";
import "./money.ts";
import "./categories.ts";
import "./products.ts";

/** The whole API, built once. Pothos sorts types and fields, so the printed SDL is deterministic. */
export const schema = builder.toSchema();
