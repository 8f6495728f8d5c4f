import type { ProductStatus, Role } from "../generated/prisma/enums.ts";
import type { ProductEvent, ProductField, ProductPlacement } from "../services/events.ts";

type Viewer = { user: { role: Role } | null };

/** Staff and admins see every product and its cost price; everyone else only ACTIVE ones, without. */
function seesEverything(viewer: Viewer): boolean {
  const role = viewer.user?.role;
  return role === "STAFF" || role === "ADMIN";
}

/**
 * Which products a request may see, as a Prisma filter. Every read applies it (lookups, lists,
 * counts, nested lists, node ids), so a DRAFT product is absent for a customer rather than
 * present with its fields refused. (graphql-shield, in src/auth/permissions.ts, can only allow or
 * refuse a field, not filter a list.)
 */
export function visibleProducts(viewer: Viewer): { status?: "ACTIVE" } {
  return seesEverything(viewer) ? {} : { status: "ACTIVE" };
}

function canSee(viewer: Viewer, status: ProductStatus): boolean {
  return seesEverything(viewer) || status === "ACTIVE";
}

/** A product change as one subscriber receives it. */
export type ProductChangeView = {
  kind: "CREATED" | "UPDATED" | "STOCK_CHANGED" | "DELETED";
  /** The fields that changed and that this subscriber may read. */
  changed: ProductField[];
  stockDelta: number | null;
};

/**
 * How a change appears to a subscriber watching the products `watches` accepts, or null when it
 * does not concern them. What a subscriber sees is decided as for queries, before and after the
 * change: a product they could not see before and can now (published, or moved into the watched
 * category) arrives as UPDATED; one they could see and no longer can (unpublished, moved away)
 * arrives as DELETED, exactly like a deleted one, so its new state never reaches them. A change
 * only to what they may not read (the cost price, for customers) is not sent at all.
 */
export function productChangeSeenBy(
  viewer: Viewer,
  event: ProductEvent,
  watches: (placement: ProductPlacement) => boolean,
): ProductChangeView | null {
  const sees = (placement: ProductPlacement) => canSee(viewer, placement.status) && watches(placement);
  const gone: ProductChangeView = { kind: "DELETED", changed: [], stockDelta: null };
  switch (event.kind) {
    case "created":
      return sees(event.now) ? { kind: "CREATED", changed: [], stockDelta: null } : null;
    case "deleted":
      return sees(event.was) ? gone : null;
    case "stockChanged":
      return sees(event.now) ? { kind: "STOCK_CHANGED", changed: ["stock"], stockDelta: event.delta } : null;
    case "updated": {
      const before = sees(event.was);
      if (!sees(event.now)) return before ? gone : null;
      const changed = seesEverything(viewer)
        ? event.changed
        : event.changed.filter((field) => field !== "costPrice");
      if (before && changed.length === 0) return null;
      return { kind: "UPDATED", changed, stockDelta: null };
    }
  }
}
