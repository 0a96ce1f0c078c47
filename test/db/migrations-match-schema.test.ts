import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DIALECTS } from "../helpers/databases";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DRIZZLE_KIT_DIALECT = { postgres: "postgresql", sqlite: "sqlite" } as const;

function listFiles(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path)] = readFileSync(path, "utf8");
  }
  return files;
}

/** Runs `drizzle-kit generate` for schema.ts into `out`, as `npm run db:generate` would. */
function generate(dialect: (typeof DIALECTS)[number], out: string) {
  const result = Bun.spawnSync(
    [
      join(ROOT, "node_modules/.bin/drizzle-kit"),
      "generate",
      "--dialect",
      DRIZZLE_KIT_DIALECT[dialect],
      "--schema",
      "./src/db/schema.ts",
      // drizzle-kit prefixes the folder with "./", so it must be relative
      "--out",
      relative(ROOT, out),
    ],
    { cwd: ROOT, stdin: "ignore", env: { ...process.env, FORCE_COLOR: "0" } },
  );
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

describe("committed migrations match src/db/schema.ts", () => {
  for (const dialect of DIALECTS) {
    test(`drizzle-kit generate finds nothing new for ${dialect}`, () => {
      const work = mkdtempSync(join(tmpdir(), "tenant-api-generate-"));
      try {
        const out = join(work, dialect);
        cpSync(join(ROOT, "drizzle", dialect), out, { recursive: true });
        const before = listFiles(out);
        const { exitCode, output } = generate(dialect, out);
        expect(exitCode).toBe(0);
        // drizzle-kit exits 0 even when it fails, so its own words are the verdict.
        expect(output).toContain("No schema changes, nothing to migrate");
        expect(listFiles(out)).toEqual(before);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }, 30_000);
  }

  test("the check notices a schema change that no migration holds", () => {
    const work = mkdtempSync(join(tmpdir(), "tenant-api-generate-"));
    try {
      const out = join(work, "sqlite");
      cpSync(join(ROOT, "drizzle", "sqlite"), out, { recursive: true });
      // Forget the newest migration: schema.ts now holds changes the folder does not.
      const journalPath = join(out, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalPath, "utf8"));
      const newest = journal.entries.pop();
      writeFileSync(journalPath, JSON.stringify(journal));
      rmSync(join(out, `${newest.tag}.sql`));
      rmSync(join(out, `${newest.tag}.down.sql`));
      rmSync(join(out, "meta", `${String(newest.idx).padStart(4, "0")}_snapshot.json`));
      const { output } = generate("sqlite", out);
      expect(output).not.toContain("No schema changes");
      expect(
        Object.keys(listFiles(out)).filter(
          (file) => file.endsWith(".sql") && !file.endsWith(".down.sql"),
        ),
      ).toHaveLength(journal.entries.length + 1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);
});
