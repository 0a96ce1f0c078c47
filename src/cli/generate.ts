/**
 * `npm run db:generate -- [--name NAME]`: drizzle-kit generate for PostgreSQL, then for SQLite,
 * with the same arguments. drizzle-kit exits 0 even when it wrote nothing because it needed an
 * answer it could not ask for (no terminal), so without a terminal its output decides success.
 * In a terminal its output is left alone, so that it can ask "created or renamed?".
 */
import { exitWithError } from "../lib/fatal";

const DIALECTS = ["postgres", "sqlite"] as const;
const WROTE = "Your SQL migration file";
const NOTHING_TO_DO = "No schema changes, nothing to migrate";

const args = process.argv.slice(2);
const interactive = process.stdin.isTTY && process.stdout.isTTY;
for (const dialect of DIALECTS) {
  console.log(`--- drizzle-kit generate (${dialect})`);
  const child = Bun.spawn(["drizzle-kit", "generate", ...args], {
    env: { ...process.env, DRIZZLE_DIALECT: dialect },
    stdin: "inherit",
    stdout: interactive ? "inherit" : "pipe",
    stderr: "inherit",
  });
  const output = child.stdout ? await new Response(child.stdout).text() : "";
  process.stdout.write(output);
  const exitCode = await child.exited;
  if (exitCode !== 0)
    exitWithError(`drizzle-kit generate failed for ${dialect} (exit ${exitCode})`);
  if (!interactive && !output.includes(WROTE) && !output.includes(NOTHING_TO_DO)) {
    exitWithError(
      `drizzle-kit generate wrote nothing for ${dialect}: it may need an answer (a rename?) that only a terminal can give`,
    );
  }
}
