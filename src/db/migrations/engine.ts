import type { Database } from "../client";
import { type AppliedMigration, tamperingProblems } from "./bookkeeping";
import { MigrationFileError } from "./errors";
import { type MigrationFile, statementsFor } from "./files";
import { type Direction, type Plan, planMove, type Target } from "./plan";
import { type RunOptions, runPostgres, runSqlite } from "./runners";

export {
  type AppliedMigration,
  type MigrationState,
  migrationState,
  readApplied,
  stateOf,
  tamperingProblems,
} from "./bookkeeping";
export { MigrationFailedError, MigrationFileError, MigrationLockTimeoutError } from "./errors";
export type { RunOptions } from "./runners";

function assertRunnable(plan: Plan): void {
  for (const migration of plan.steps) {
    const statements = statementsFor(migration, plan.direction);
    if (statements === null) {
      const file = plan.direction === "up" ? `${migration.tag}.sql` : `${migration.tag}.down.sql`;
      throw new MigrationFileError(
        `${file} is missing: cannot go ${plan.direction} through ${migration.tag}`,
      );
    }
  }
}

/**
 * Plans under the lock and verifies the files before any SQL runs, then runs each migration in
 * its own transaction together with its bookkeeping row.
 */
export async function moveTo(
  db: Database,
  migrations: MigrationFile[],
  direction: Direction,
  target: Target,
  options: RunOptions = {},
): Promise<Plan> {
  const prepare = (applied: AppliedMigration[]) => {
    const problems = tamperingProblems(applied, migrations);
    if (problems.length > 0) throw new MigrationFileError(problems.join("; "));
    const appliedAt = new Set(applied.map((row) => row.createdAt));
    const plan = planMove(direction, target, migrations, (migration) =>
      appliedAt.has(migration.createdAt),
    );
    assertRunnable(plan);
    return plan;
  };
  return db.dialect === "postgres"
    ? runPostgres(db, prepare, options)
    : runSqlite(db, prepare, options);
}

/** Applies every pending migration: what start-up and `db:migrate` do. */
export async function migrateUp(
  db: Database,
  migrations: MigrationFile[],
  options: RunOptions = {},
): Promise<string[]> {
  const plan = await moveTo(db, migrations, "up", { kind: "head" }, options);
  return plan.steps.map((migration) => migration.tag);
}
