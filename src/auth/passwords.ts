import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard, in node:crypto, nothing to install). The stored
 * form names its parameters, so they can be raised later without breaking existing hashes:
 *   scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>
 */

export const MIN_PASSWORD_LENGTH = 8;
/** Longer input is refused before hashing, so a huge "password" cannot be used to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

const parameters = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
// scrypt needs 128 * N * r bytes; allow twice that.
const maxmem = 256 * parameters.N * parameters.r;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, parameters);
  const { N, r, p } = parameters;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await derive(password, Buffer.from(salt, "base64"), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of a random password, checked against when an email is unknown, so that answering
 * "wrong email" costs the same scrypt work as "wrong password" and timing reveals nothing.
 */
export function unknownUserHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("base64"));
  return decoyHash;
}
// A constant per process: it protects no secret, it only has to cost what a real hash costs.
let decoyHash: Promise<string> | undefined;
