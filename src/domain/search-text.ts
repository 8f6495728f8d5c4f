/**
 * Text search that means "contains", literally. Prisma's `contains` becomes SQL LIKE, where "%"
 * and "_" are wildcards that Prisma does not escape, and where PostgreSQL also reads "\" as an
 * escape (and refuses a pattern ending in one). So each product keeps a search text (its name and
 * description, lower-cased, with those three characters swapped for private-use code points) and
 * a search term gets the same treatment: LIKE then finds only the literal text, on SQLite and
 * PostgreSQL alike, and matching ignores case for every script, not only ASCII.
 */

const LITERAL_PERCENT = "\u{E000}";
const LITERAL_UNDERSCORE = "\u{E001}";
const LITERAL_BACKSLASH = "\u{E003}";
// Between name and description, so a term cannot match across the two.
const SEPARATOR = "\u{E002}";

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replaceAll("%", LITERAL_PERCENT)
    .replaceAll("_", LITERAL_UNDERSCORE)
    .replaceAll("\\", LITERAL_BACKSLASH);
}

/** The stored search text of a product. */
export function productSearchText(name: string, description: string): string {
  return `${normalize(name)}${SEPARATOR}${normalize(description)}`;
}

/** A search term in the same form, ready for `searchText: { contains }`. */
export function searchTerm(text: string): string {
  return normalize(text.trim()).replaceAll(SEPARATOR, "");
}
