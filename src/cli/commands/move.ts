import { moveTo, planFor, readApplied, stateOf } from "../../db/migrations/engine";
import { statementsFor } from "../../db/migrations/files";
import { type Direction, parseTarget } from "../../db/migrations/plan";
import { withDatabase } from "./context";

export interface MoveOptions {
  dryRun: boolean;
  lockTimeoutMs: number;
}

export function move(
  direction: Direction,
  targetText: string,
  { dryRun, lockTimeoutMs }: MoveOptions,
): Promise<void> {
  const target = parseTarget(targetText);
  return withDatabase(async ({ db, migrations }) => {
    if (dryRun) {
      const plan = planFor(await readApplied(db), migrations, direction, target);
      if (plan.steps.length === 0) console.log(`nothing to do: ${plan.note ?? "no migrations"}`);
      for (const migration of plan.steps) {
        const statements = statementsFor(migration, direction);
        console.log(`-- ${direction} ${migration.tag}`);
        console.log(
          statements === null ? "-- (file missing: cannot run)" : statements.join("\n\n"),
        );
      }
      console.log("-- dry run: nothing was changed");
      return 0;
    }
    const started = performance.now();
    const plan = await moveTo(db, migrations, direction, target, {
      lockTimeoutMs,
      onStep: (migration) => console.log(`${direction} ${migration.tag}`),
    });
    const { current } = stateOf(await readApplied(db), migrations);
    const moved =
      plan.steps.length === 0
        ? `nothing to do (${plan.note ?? "no migrations"})`
        : `${plan.steps.length} ${direction === "up" ? "applied" : "reverted"}`;
    console.log(
      `${db.dialect} ${db.description}: ${moved}; now at ${current ?? "base"} (${Math.round(performance.now() - started)} ms)`,
    );
    return 0;
  });
}
