import { decodeGlobalID } from "@pothos/plugin-relay";
import { ValidationError } from "../errors.ts";

/**
 * The database id inside a Relay global id of the expected type. A malformed id, or the id of
 * another type, is a ValidationError naming the input field, never a lookup of the wrong row.
 */
export function decodeNodeId(typename: string, globalId: string, field: string): number {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw ValidationError.forField(field, `"${globalId}" is not a valid ${typename} id`);
  }
  const id = Number(decoded.id);
  if (decoded.typename !== typename || !Number.isSafeInteger(id) || id < 1) {
    throw ValidationError.forField(field, `"${globalId}" is not a valid ${typename} id`);
  }
  return id;
}

/** decodeNodeId for an optional input: absent stays undefined, null (e.g. "no category") stays null. */
export function decodeOptionalNodeId(
  typename: string,
  globalId: string | number | null | undefined,
  field: string,
): number | null | undefined {
  return globalId == null ? globalId : decodeNodeId(typename, String(globalId), field);
}

/**
 * The database id in the key part of a global id the Relay plugin already decoded (node and
 * nodes). A key that is not a positive safe integer becomes 0, which no row has, so such an id
 * answers null like any unknown id instead of reaching the database as NaN.
 */
export function nodeKey(key: string | number): number {
  const id = Number(key);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}
