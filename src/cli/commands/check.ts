import { checkMigrations } from "../../db/migrations/check";
import { withDatabase } from "./context";

export function check(): Promise<void> {
  return withDatabase(async ({ db, folder, migrations }) => {
    const { problems, notes } = await checkMigrations(db, folder, migrations);
    for (const note of notes) console.log(`note: ${note}`);
    for (const problem of problems) console.error(`problem: ${problem}`);
    console.log(
      problems.length === 0
        ? `check passed (${db.dialect})`
        : `check failed: ${problems.length} problems`,
    );
    return problems.length === 0 ? 0 : 1;
  });
}
