/**
 * Password hashing is handed to the app (createApp's `passwords`) because the fast way to do it
 * depends on the runtime: Bun's native argon2 on Bun (password-bun.ts), WebAssembly where Bun is
 * not (password-wasm.ts). Both write the same PHC strings with the same cost and read each
 * other's, so a hash made on one runtime verifies on the other.
 */
export interface PasswordHasher {
  /** argon2id at ARGON2ID's cost, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). */
  hash(password: string): Promise<string>;
  /** Whether the password matches a PHC string; throws on a string that is not one. */
  verify(password: string, hash: string): Promise<boolean>;
}

/** OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1), with Bun's salt and hash lengths. */
export const ARGON2ID = {
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
  saltBytes: 32,
  hashBytes: 32,
} as const;
