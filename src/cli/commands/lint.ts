import {
  allMigrationPaths,
  formatJson,
  formatText,
  LintInputError,
  lintFiles,
  migrationsAddedSince,
  projectRoot,
} from "../../db/migrations/lint";
import { exitWithError } from "../../lib/fatal";

/** `db lint`: exit code 1 on any unapproved error; it reads files and opens no database. */
export async function lint(options: {
  files: string[];
  base: string | undefined;
  format: "text" | "json";
}): Promise<void> {
  if (options.files.length > 0 && options.base !== undefined)
    exitWithError("lint takes files or --base, not both");
  try {
    const paths =
      options.files.length > 0
        ? options.files
        : options.base !== undefined
          ? migrationsAddedSince(options.base, projectRoot())
          : allMigrationPaths();
    const report = await lintFiles(paths);
    process.stdout.write(options.format === "json" ? formatJson(report) : formatText(report));
    process.exitCode = report.counts.errors > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof LintInputError) exitWithError(error.message);
    throw error;
  }
}
