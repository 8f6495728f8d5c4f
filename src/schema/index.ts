import { applyPermissions } from "../auth/permissions.ts";
import { builder } from "./builder.ts";
import "./errors.ts";
import "./money.ts";
import "./categories.ts";
import "./products.ts";
import "./users.ts";

/**
 * The whole API, built once, with the permission rules applied. Pothos sorts types and fields,
 * so the printed SDL is deterministic.
 */
export const schema = applyPermissions(builder.toSchema());
