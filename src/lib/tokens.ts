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

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function sha256(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Compares digests, so values of any length take the same path and never throw. The expected
 * digest is raw bytes when the caller can decode it once (the admin token's), else hex as stored.
 */
export function sameSecret(candidate: string, expectedDigest: Uint8Array | string): boolean {
  const actual = sha256(candidate);
  const expected =
    typeof expectedDigest === "string" ? Buffer.from(expectedDigest, "hex") : expectedDigest;
  return expected.length === actual.length && timingSafeEqual(actual, expected);
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
  return { keyId, secretHash: sha256Hex(secret), token: `${API_KEY_PREFIX}${keyId}_${secret}` };
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
