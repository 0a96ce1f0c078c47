import { describe, expect, test } from "bun:test";
import { displayPrefix, generateApiKey, parseApiKey, sha256 } from "../../src/lib/tokens";

const TENANT = "019ab8f2-c3d4-7e1a-8b2c-3d4e5f607182";

describe("API key tokens", () => {
  test("a new key carries its tenant, and parses back to its parts", () => {
    const key = generateApiKey(TENANT);
    expect(key.token).toMatch(/^tak_[a-z2-7]{16}_019ab8f2c3d47e1a8b2c3d4e5f607182_[\w-]{43}$/);
    expect(key.token.startsWith(`${displayPrefix(key.keyId)}_`)).toBe(true);
    const parsed = parseApiKey(key.token);
    expect(parsed).toEqual({ keyId: key.keyId, tenantId: TENANT, secret: key.token.slice(-43) });
    expect(sha256(parsed?.secret ?? "").toString("hex")).toBe(key.secretHash);
  });

  test("an upper-case tenant id gives the same key shape", () => {
    expect(parseApiKey(generateApiKey(TENANT.toUpperCase()).token)?.tenantId).toBe(TENANT);
  });

  test("a key issued before keys carried their tenant parses without one", () => {
    const secret = "A".repeat(43);
    expect(parseApiKey(`tak_abcdefghijklmnop_${secret}`)).toEqual({
      keyId: "abcdefghijklmnop",
      tenantId: undefined,
      secret,
    });
  });

  test.each([
    ["a short secret", `tak_abcdefghijklmnop_${"A".repeat(42)}`],
    ["upper-case tenant digits", `tak_abcdefghijklmnop_${"A".repeat(32)}_${"b".repeat(43)}`],
    ["a short tenant part", `tak_abcdefghijklmnop_${"a".repeat(31)}_${"b".repeat(43)}`],
    ["another prefix", `tok_abcdefghijklmnop_${"b".repeat(43)}`],
  ])("%s is no key", (_, token) => {
    expect(parseApiKey(token)).toBeUndefined();
  });

  test("a tenant id that is not a UUID is refused when the key is made", () => {
    expect(() => generateApiKey("not-a-uuid")).toThrow("is not a UUID");
  });
});
