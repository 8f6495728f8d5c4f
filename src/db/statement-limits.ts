/**
 * How much of an input the API lets into one SQL statement. A longer input is refused as a clear
 * input error instead of reaching the engine as a failing statement. The bounds are SQLite's with
 * room to spare; PostgreSQL's are wider (65,535 bound values, no limit on a LIKE pattern).
 */

/** Ids looked up in one statement (nodes(ids)): one bound value each, and SQLite takes 999. */
export const MAX_IDS_PER_LOOKUP = 100;

/**
 * Characters of a search text, which becomes one LIKE pattern. SQLite refuses patterns over
 * 50,000 bytes, and no useful search is anywhere near as long.
 */
export const MAX_SEARCH_LENGTH = 500;
