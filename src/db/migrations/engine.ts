import type { Database } from "../client";
import { type AppliedMigration, tamperingProblems } from "./bookkeeping";
import { IncompleteMigrationError, MigrationFileError } from "./errors";
import { describeIncomplete, type IncompleteMigration } from "./failures";
import { type MigrationFile, statementsFor } from "./files";
import { type Direction, type Plan, planMove, type Target } from "./plan";
import { type RunOptions, runPostgres } from "./run-postgres";
import { runSqlite } from "./run-sqlite";

export {
  type AppliedMigration,
  migrationState,
  readApplied,
  stateOf,
  tamperingProblems,
} from "./bookkeeping";
export type { RunOptions } from "./run-postgres";

function assertRunnable(plan: Plan): void {
  for (const migration of plan.steps) {
    if (plan.direction === "down" && migration.irreversible !== null) {
      throw new MigrationFileError(
        `cannot go down through ${migration.tag}: it is irreversible (${migration.irreversible})`,
      );
    }
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
 * The plan that moves from the applied migrations to the target, refused when an applied
 * migration's file was edited or deleted, or one that ran outside a transaction is incomplete.
 * Pure: nothing runs.
 */
export function planFor(
  applied: AppliedMigration[],
  migrations: MigrationFile[],
  direction: Direction,
  target: Target,
  incomplete: IncompleteMigration[] = [],
): Plan {
  const [failure] = incomplete;
  if (failure !== undefined) {
    throw new IncompleteMigrationError(
      `${describeIncomplete(failure)}. Nothing moves until it is resolved: finish or undo it by hand, ` +
        `then \`npm run db -- resolve ${failure.tag} --applied\` or \`--rolled-back\``,
    );
  }
  const problems = tamperingProblems(applied, migrations);
  if (problems.length > 0) throw new MigrationFileError(problems.join("; "));
  const appliedAt = new Set(applied.map((row) => row.createdAt));
  return planMove(direction, target, migrations, (migration) => appliedAt.has(migration.createdAt));
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
  const prepare = (applied: AppliedMigration[], incomplete: IncompleteMigration[]) => {
    const plan = planFor(applied, migrations, direction, target, incomplete);
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
