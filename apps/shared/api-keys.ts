// Producer API keys: random, shown once by the admin API, stored only as their SHA-256
// (producer_api_key). The gateway hashes the presented key and looks the hash up.

import { createHash, randomBytes } from "node:crypto";

const keyPrefix = "whpk_";

/** A new key: 32 random bytes, base64url, behind a recognisable prefix (secret scanners key on it). */
export function newApiKey(): string {
  return `${keyPrefix}${randomBytes(32).toString("base64url")}`;
}

/** hex SHA-256: the table key. A fast hash suffices: the key has 256 random bits, nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The first characters of a key, stored so an operator can tell keys apart without the secret. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, keyPrefix.length + 6);
}

/** The credentials of `Authorization: Bearer <token>`, or undefined when the header is absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
