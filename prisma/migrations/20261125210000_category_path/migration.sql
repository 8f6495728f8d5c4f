-- Written by hand, like product_search_text: adding the column in place instead of rebuilding
-- the table, then filling in every category's path from the top of its tree down.
ALTER TABLE "Category" ADD COLUMN "path" TEXT NOT NULL DEFAULT '';

WITH RECURSIVE "tree" ("id", "path") AS (
  SELECT "id", '/' || "id" || '/' FROM "Category" WHERE "parentId" IS NULL
  UNION ALL
  SELECT "Category"."id", "tree"."path" || "Category"."id" || '/'
  FROM "Category" JOIN "tree" ON "Category"."parentId" = "tree"."id"
)
UPDATE "Category" SET "path" = (SELECT "tree"."path" FROM "tree" WHERE "tree"."id" = "Category"."id");
