import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const API_KEY_PREFIX = "tak_";
// tak_<16 base32 characters: the public key id>_<43 base64url characters: 256 secret bits>
const API_KEY_FORMAT = /^tak_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;

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

export function generateApiKey(): NewApiKey {
  const keyId = base32(randomBytes(10));
  const secret = randomBytes(32).toString("base64url");
  return {
    keyId,
    secretHash: sha256(secret).toString("hex"),
    token: `${API_KEY_PREFIX}${keyId}_${secret}`,
  };
}

export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = token.match(API_KEY_FORMAT);
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : undefined;
}

/** The public, greppable part of a key: its prefix and key id. */
export const displayPrefix = (keyId: string) => `${API_KEY_PREFIX}${keyId}`;

export function generateAdminToken(): string {
  return randomBytes(32).toString("base64url");
}
