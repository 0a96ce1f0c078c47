import { describe, expect, test } from "bun:test";
import { ARGON2ID, type PasswordHasher } from "../../src/lib/password";
import { bunPasswords } from "../../src/lib/password-bun";
import { wasmPasswords } from "../../src/lib/password-wasm";

const PASSWORD = "correct horse battery staple ✓";
// $argon2id$v=19$m=19456,t=2,p=1$<32 salt bytes>$<32 hash bytes>, base64 without padding
const PHC = new RegExp(
  `^\\$argon2id\\$v=19\\$m=${ARGON2ID.memoryKiB},t=${ARGON2ID.iterations},p=${ARGON2ID.parallelism}\\$[A-Za-z0-9+/]{43}\\$[A-Za-z0-9+/]{43}$`,
);

const hashers: [string, PasswordHasher][] = [
  ["Bun.password", bunPasswords],
  ["hash-wasm", wasmPasswords],
];

for (const [name, hasher] of hashers) {
  for (const [otherName, other] of hashers) {
    describe(`hashed with ${name}, verified with ${otherName}`, () => {
      test("the right password matches and a wrong one does not", async () => {
        const hash = await hasher.hash(PASSWORD);
        expect(hash).toMatch(PHC);
        expect(await other.verify(PASSWORD, hash)).toBe(true);
        expect(await other.verify(`${PASSWORD} `, hash)).toBe(false);
        expect(await other.verify("", hash)).toBe(false);
      });
    });
  }

  test(`${name}: a new salt for every hash`, async () => {
    const [first, second] = await Promise.all([hasher.hash(PASSWORD), hasher.hash(PASSWORD)]);
    expect(first).not.toBe(second);
  });

  test(`${name}: a string that is not a PHC hash is refused`, async () => {
    await expect(hasher.verify(PASSWORD, "not a hash")).rejects.toThrow();
  });
}
