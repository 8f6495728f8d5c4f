import { ConflictError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";

/**
 * Runs a write and turns a unique-constraint violation (Prisma P2002) into a typed ConflictError
 * naming the input field. The database constraint is the check, so two concurrent writes of the
 * same sku cannot both succeed.
 */
export async function conflictOnUnique<T>(uniqueFields: string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      // Every driver adapter's message names the columns: "... on the fields: (`sku`)".
      const field = uniqueFields.find((name) => error.message.includes(`\`${name}\``)) ?? "input";
      throw new ConflictError(`${field} is already taken`, field);
    }
    throw error;
  }
}
