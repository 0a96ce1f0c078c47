import { argon2id, argon2Verify } from "hash-wasm";
import { ARGON2ID, type PasswordHasher } from "./password";

/**
 * argon2id in WebAssembly (hash-wasm), for runtimes without Bun.password such as Workers. Slower
 * than Bun's native one; the parameters and PHC format are the same.
 */
export const wasmPasswords: PasswordHasher = {
  hash: (password) =>
    argon2id({
      password,
      salt: crypto.getRandomValues(new Uint8Array(ARGON2ID.saltBytes)),
      iterations: ARGON2ID.iterations,
      parallelism: ARGON2ID.parallelism,
      memorySize: ARGON2ID.memoryKiB,
      hashLength: ARGON2ID.hashBytes,
      outputType: "encoded",
    }),
  // hash-wasm throws on an empty password where Bun answers false: no hash is of an empty one.
  verify: async (password, hash) => password !== "" && argon2Verify({ password, hash }),
};
