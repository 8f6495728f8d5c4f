-- DropIndex
DROP INDEX "Product_categoryId_id_idx";

-- DropIndex
DROP INDEX "Product_status_id_idx";

-- CreateIndex
CREATE INDEX "Product_status_createdAt_id_idx" ON "Product"("status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Product_status_name_id_idx" ON "Product"("status", "name", "id");

-- CreateIndex
CREATE INDEX "Product_status_priceMicros_id_idx" ON "Product"("status", "priceMicros", "id");

-- CreateIndex
CREATE INDEX "Product_categoryId_createdAt_id_idx" ON "Product"("categoryId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Product_categoryId_name_id_idx" ON "Product"("categoryId", "name", "id");

-- CreateIndex
CREATE INDEX "Product_categoryId_priceMicros_id_idx" ON "Product"("categoryId", "priceMicros", "id");

-- CreateIndex
CREATE INDEX "Product_status_categoryId_createdAt_id_idx" ON "Product"("status", "categoryId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Product_status_categoryId_name_id_idx" ON "Product"("status", "categoryId", "name", "id");

-- CreateIndex
CREATE INDEX "Product_status_categoryId_priceMicros_id_idx" ON "Product"("status", "categoryId", "priceMicros", "id");

