/**
 * What is stored of an idempotency key, with Web Crypto (Bun and Workers alike). The key itself,
 * which only the client holds, is never stored; everything is derived from it with HKDF-SHA256,
 * each value under its own label:
 * - `keyHash`: the row's lookup value, salted with the caller's scope;
 * - `requestHash`: an HMAC of the request (method, path, body), so that a retry with another body
 *   is told apart without the stored value revealing anything of the body, a password included;
 * - the answer's AES-256-GCM key, from a random salt stored with the answer.
 * Someone who reads the database cannot decrypt an answer without the idempotency key. A
 * guessable key (a counter, an order number) can be guessed offline: send random ones (UUIDs).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SALT_BYTES = 16;
const IV_BYTES = 12;
const LABEL = "tenant-api idempotency";

const hex = (bytes: ArrayBuffer) => Buffer.from(bytes).toString("hex");

export interface DerivedKey {
  keyHash: string;
  /** The HMAC-SHA256 of a request's fingerprint, keyed from the idempotency key. */
  requestHash(fingerprint: string): Promise<string>;
  seal(plaintext: string, associated: string): Promise<string>;
  /** The plaintext, or undefined when the answer was not sealed with this key and data. */
  open(sealed: string, associated: string): Promise<string | undefined>;
}

export async function deriveKey(idempotencyKey: string, scope: string): Promise<DerivedKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    encoder.encode(idempotencyKey),
    "HKDF",
    false,
    ["deriveBits", "deriveKey"],
  );
  const hkdf = (salt: Uint8Array, purpose: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt,
    info: encoder.encode(`${LABEL} ${purpose}\u0000${scope}`),
  });
  const scopeSalt = encoder.encode(scope);
  const keyHash = hex(await crypto.subtle.deriveBits(hkdf(scopeSalt, "lookup"), material, 256));
  const requestKey = await crypto.subtle.deriveKey(
    hkdf(scopeSalt, "request"),
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  const answerKey = (salt: Uint8Array, usage: "encrypt" | "decrypt") =>
    crypto.subtle.deriveKey(
      hkdf(salt, "answer"),
      material,
      { name: "AES-GCM", length: 256 },
      false,
      [usage],
    );

  return {
    keyHash,
    requestHash: async (fingerprint) =>
      hex(await crypto.subtle.sign("HMAC", requestKey, encoder.encode(fingerprint))),

    // salt ‖ iv ‖ ciphertext and tag, base64url: one value with all that opening it needs.
    async seal(plaintext, associated) {
      const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(associated) },
        await answerKey(salt, "encrypt"),
        encoder.encode(plaintext),
      );
      return Buffer.concat([salt, iv, new Uint8Array(ciphertext)]).toString("base64url");
    },

    async open(sealed, associated) {
      const bytes = new Uint8Array(Buffer.from(sealed, "base64url"));
      const salt = bytes.subarray(0, SALT_BYTES);
      const iv = bytes.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
      try {
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(associated) },
          await answerKey(salt, "decrypt"),
          bytes.subarray(SALT_BYTES + IV_BYTES),
        );
        return decoder.decode(plaintext);
      } catch {
        return undefined;
      }
    },
  };
}
