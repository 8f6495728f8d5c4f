import { fileURLToPath } from "node:url";

export const testDataDirectory = fileURLToPath(new URL("../data/test/", import.meta.url));
export const templateDatabase = `${testDataDirectory}template.db`;
