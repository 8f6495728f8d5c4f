-- Written by hand: the search text now stores "\" as a private-use code point, as it does "%"
-- and "_" (src/domain/search-text.ts), so that no LIKE reads it as an escape; the rows already
-- written get the same form. (SQLite string literals have no escapes: '\' is one backslash.)
UPDATE "Product" SET "searchText" = replace("searchText", '\', char(57347));
