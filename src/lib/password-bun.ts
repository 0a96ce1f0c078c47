import { ARGON2ID, type PasswordHasher } from "./password";

/** Bun's native argon2id: the hasher of the Bun server. */
export const bunPasswords: PasswordHasher = {
  hash: (password) =>
    Bun.password.hash(password, {
      algorithm: "argon2id",
      memoryCost: ARGON2ID.memoryKiB,
      timeCost: ARGON2ID.iterations,
    }),
  verify: (password, hash) => Bun.password.verify(password, hash),
};
