import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const API_KEY_PREFIX = "tak_";
// tak_<key id: 16 base32 characters>_<tenant id: its UUID's 32 hex digits>_<secret: 43
// base64url characters, 256 bits>. The tenant id lets the lookup name the tenant, which is what
// routes a query to its shard when tables are distributed by tenant (docs/scaling.md). Keys
// issued before it, tak_<key id>_<secret>, keep working; both lengths tell them apart.
const API_KEY_FORMAT = /^tak_([a-z2-7]{16})_(?:([0-9a-f]{32})_)?([A-Za-z0-9_-]{43})$/;

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let output = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return output;
}

export function sha256(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Compares digests, so values of any length take the same path and never throw. */
export function sameSecret(candidate: string, expectedDigest: Uint8Array): boolean {
  const actual = sha256(candidate);
  return expectedDigest.length === actual.length && timingSafeEqual(actual, expectedDigest);
}

export interface NewApiKey {
  keyId: string;
  secretHash: string;
  /** The whole key: shown to the client once, never stored. */
  token: string;
}

/** A new key for a tenant, whose id (a UUID) the key carries. */
export function generateApiKey(tenantId: string): NewApiKey {
  const tenantHex = tenantId.replaceAll("-", "").toLowerCase();
  // A key it could not parse back would be refused at its first use.
  if (!/^[0-9a-f]{32}$/.test(tenantHex)) throw new Error(`tenant id ${tenantId} is not a UUID`);
  const keyId = base32(randomBytes(10));
  const secret = randomBytes(32).toString("base64url");
  return {
    keyId,
    secretHash: sha256(secret).toString("hex"),
    token: `${API_KEY_PREFIX}${keyId}_${tenantHex}_${secret}`,
  };
}

interface ParsedApiKey {
  keyId: string;
  /** The tenant the key names; undefined for a key issued before keys carried it. */
  tenantId: string | undefined;
  secret: string;
}

export function parseApiKey(token: string): ParsedApiKey | undefined {
  const match = token.match(API_KEY_FORMAT);
  if (!match?.[1] || !match[3]) return undefined;
  const hex = match[2];
  const tenantId =
    hex === undefined
      ? undefined
      : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { keyId: match[1], tenantId, secret: match[3] };
}

/** The public, greppable part of a key: its prefix and key id. */
export const displayPrefix = (keyId: string) => `${API_KEY_PREFIX}${keyId}`;

export function generateAdminToken(): string {
  return randomBytes(32).toString("base64url");
}
