import { checkMigrations } from "../../db/migrations/check";
import { readApplied, stateOf } from "../../db/migrations/engine";
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
    const report = await checkMigrations(db, folder, migrations);
    console.log(`problems:  ${report.problems.length === 0 ? "none" : ""}`);
    for (const problem of report.problems) console.log(`  - ${problem}`);
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
