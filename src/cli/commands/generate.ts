import { existsSync } from "node:fs";
import { generateMigrations, type WrittenMigration } from "../../db/migrations/generate";
import { formatText, lintFiles } from "../../db/migrations/lint";
import type { Rename } from "../../db/migrations/snapshots";
import { describeError, exitWithError } from "../../lib/fatal";

/** Prints what `db lint` finds in the new files; a finding or a failure here never fails generate. */
async function lintWritten(written: WrittenMigration[]): Promise<void> {
  if (written.length === 0) return;
  try {
    const paths = written.flatMap((migration) => [migration.up, migration.down]);
    const report = await lintFiles(paths.filter((path) => existsSync(path)));
    process.stdout.write(formatText(report));
  } catch (error) {
    console.log(`lint could not check the new files: ${describeError(error)}`);
  }
}

export async function generate(options: {
  name?: string | undefined;
  renames: Rename[];
  noRename: boolean;
  custom: boolean;
}): Promise<void> {
  let written: WrittenMigration[];
  try {
    written = await generateMigrations({
      ...(options.name === undefined ? {} : { name: options.name }),
      renames: options.renames,
      noRename: options.noRename,
      custom: options.custom,
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      log: (line) => console.log(line),
    });
  } catch (error) {
    exitWithError(describeError(error));
  }
  await lintWritten(written);
  console.log("Review the new .sql and .down.sql files before committing them.");
}
