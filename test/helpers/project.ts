import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, with its output collected. */
export async function runCommand(
  command: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CommandResult> {
  const child = Bun.spawn(command, { ...options, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** Runs `npm run db -- <args>` of the project at `root` as its own process. */
export function runDb(
  root: string,
  args: string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  return runCommand([process.execPath, join(root, "src/cli/db.ts"), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
}

/** A copy of the project (sources, migrations, config) in a temp folder, sharing node_modules. */
export function copyProject(): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), "tenant-api-project-"));
  for (const entry of ["src", "drizzle", "drizzle.config.ts", "package.json", "tsconfig.json"]) {
    cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
