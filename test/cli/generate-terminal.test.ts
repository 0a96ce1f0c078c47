import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readMigrations } from "../../src/db/migrations/files";
import { DIALECTS } from "../helpers/databases";
import { copyProject } from "../helpers/project";

// util-linux's `script` gives the command a pseudo-terminal, as a developer's shell would.
const SCRIPT = "/usr/bin/script";
const DOWN_ARROW = "\x1b[B";

let project: ReturnType<typeof copyProject>;
beforeAll(() => {
  project = copyProject();
  const schemaFile = join(project.root, "src", "db", "schema.ts");
  const schema = readFileSync(schemaFile, "utf8")
    .replace('passwordHash: pgText("password_hash")', 'passwordHash: pgText("secret_hash")')
    .replace(
      'passwordHash: sqliteText("password_hash")',
      'passwordHash: sqliteText("secret_hash")',
    );
  writeFileSync(schemaFile, schema);
});
afterAll(() => project.remove());

test.skipIf(!existsSync(SCRIPT))(
  "in a terminal, drizzle-kit asks about the rename and the down file renames back",
  async () => {
    const command = `${process.execPath} src/cli/db.ts generate --name rename_hash`;
    const child = Bun.spawn([SCRIPT, "-qec", command, "/dev/null"], {
      cwd: project.root,
      stdin: "pipe",
      stdout: "pipe",
      env: { ...process.env, TERM: "xterm" },
    });
    let seen = "";
    const answeredIn = new Set<string>();
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      seen += decoder.decode(chunk);
      // One question per dialect, answered once (the prompt redraws itself on every key).
      const section = seen.lastIndexOf("--- sqlite") >= 0 ? "sqlite" : "postgres";
      const sinceSection = seen.slice(seen.lastIndexOf(`--- ${section}`));
      if (!answeredIn.has(section) && sinceSection.includes("created or renamed")) {
        answeredIn.add(section);
        await Bun.sleep(200);
        child.stdin.write(`${DOWN_ARROW}\r`); // the second choice: rename column
        await child.stdin.flush();
      }
    }
    expect(await child.exited).toBe(0);
    expect([...answeredIn]).toEqual(["postgres", "sqlite"]);
    for (const dialect of DIALECTS) {
      const newest = readMigrations(join(project.root, "drizzle", dialect)).at(-1);
      expect(newest?.tag).toMatch(/^\d{4}_rename_hash$/);
      expect(newest?.statements?.join("\n")).toMatch(
        /RENAME COLUMN ["`]password_hash["`] TO ["`]secret_hash["`]/,
      );
      expect(newest?.downStatements?.join("\n")).toMatch(
        /RENAME COLUMN ["`]secret_hash["`] TO ["`]password_hash["`]/,
      );
    }
  },
  60_000,
);
