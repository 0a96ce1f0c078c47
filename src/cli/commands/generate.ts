import { generateMigrations } from "../../db/migrations/generate";
import type { Rename } from "../../db/migrations/snapshots";
import { describeError, exitWithError } from "../../lib/fatal";

export async function generate(options: {
  name?: string | undefined;
  renames: Rename[];
  noRename: boolean;
  custom: boolean;
}): Promise<void> {
  try {
    await generateMigrations({
      ...(options.name === undefined ? {} : { name: options.name }),
      renames: options.renames,
      noRename: options.noRename,
      custom: options.custom,
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      log: (line) => console.log(line),
    });
    console.log("Review the new .sql and .down.sql files before committing them.");
  } catch (error) {
    exitWithError(describeError(error));
  }
}
