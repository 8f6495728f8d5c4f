-- Written by hand: the generated version rebuilt the table and would have dropped its CHECK
-- constraints; adding the column in place keeps them.
ALTER TABLE "Product" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';

-- Backfill in the form src/search-text.ts writes (SQLite's lower() folds ASCII only; rows the
-- API writes from now on fold every script).
UPDATE "Product" SET "searchText" =
  replace(replace(lower("name"), '%', char(57344)), '_', char(57345)) || char(57346) ||
  replace(replace(lower("description"), '%', char(57344)), '_', char(57345));
