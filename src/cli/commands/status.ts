import { checkMigrations } from "../../db/migrations/check";
import { readApplied, stateOf } from "../../db/migrations/engine";
import { describeIncomplete, readIncomplete } from "../../db/migrations/failures";
import { withDatabase } from "./context";

export function status(): Promise<void> {
  return withDatabase(async ({ db, folder, migrations }) => {
    const state = stateOf(await readApplied(db), migrations);
    const appliedAt = new Set(state.applied.map((row) => row.createdAt));
    console.log(`dialect:   ${db.dialect}`);
    console.log(`database:  ${db.description}`);
    console.log(`current:   ${state.current ?? "base (nothing applied)"}`);
    const applied = migrations.filter((migration) => appliedAt.has(migration.createdAt));
    console.log(`applied:   ${applied.map((migration) => migration.tag).join(", ") || "none"}`);
    console.log(
      `pending:   ${state.pending.map((migration) => migration.tag).join(", ") || "none"}`,
    );
    const incomplete = await readIncomplete(db);
    console.log(`failed:    ${incomplete.length === 0 ? "none" : ""}`);
    for (const failure of incomplete) console.log(`  - ${describeIncomplete(failure)}`);
    const report = await checkMigrations(db, folder, migrations);
    // check repeats each failure among its problems: status lists it once, above.
    const problems = report.problems.filter(
      (problem) => !incomplete.some((failure) => problem === describeIncomplete(failure)),
    );
    console.log(`problems:  ${problems.length === 0 ? "none" : ""}`);
    for (const problem of problems) console.log(`  - ${problem}`);
    for (const note of report.notes) console.log(`note: ${note}`);
    return 0;
  });
}

export function history(): Promise<void> {
  return withDatabase(async ({ db, migrations }) => {
    const applied = new Map((await readApplied(db)).map((row) => [row.createdAt, row]));
    for (const migration of migrations) {
      const row = applied.get(migration.createdAt);
      const when =
        row === undefined
          ? "pending"
          : `applied ${row.appliedAt?.toISOString() ?? "(time not recorded)"}`;
      console.log(`${migration.tag.padEnd(40)} ${when}`);
    }
    return 0;
  });
}
