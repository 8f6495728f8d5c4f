import type { Role } from "../generated/prisma/enums.ts";

/**
 * Which products a request may see: staff and admins see all, everyone else only ACTIVE ones.
 * Every read applies it (lookups, lists, counts, nested lists, node ids), so a DRAFT product is
 * absent for a customer rather than present with its fields refused. (graphql-shield, in
 * src/auth/permissions.ts, can only allow or refuse a field, not filter a list.)
 */
export function visibleProducts(viewer: { user: { role: Role } | null }): { status?: "ACTIVE" } {
  const role = viewer.user?.role;
  return role === "STAFF" || role === "ADMIN" ? {} : { status: "ACTIVE" };
}
