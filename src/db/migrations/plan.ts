import type { MigrationFile } from "./files";

export type Direction = "up" | "down";

export type Target =
  | { kind: "head" }
  | { kind: "base" }
  | { kind: "relative"; steps: number }
  | { kind: "revision"; text: string };

export interface Plan {
  direction: Direction;
  /** In the order they run: journal order up, reverse journal order down. */
  steps: MigrationFile[];
  /** Why the plan is empty when it is, for the user. */
  note?: string;
}

/** A target the user gave that cannot be reached; nothing has run. */
export class TargetError extends Error {
  override name = "TargetError";
}

/** `head`, `base`, `+N`, `-N`, a tag such as `0001_add_api_keys`, or its number (`0001`, `1`). */
export function parseTarget(text: string): Target {
  const trimmed = text.trim();
  if (trimmed === "head") return { kind: "head" };
  if (trimmed === "base") return { kind: "base" };
  const relative = trimmed.match(/^([+-])(\d+)$/);
  if (relative) {
    const steps = Number(relative[2]) * (relative[1] === "-" ? -1 : 1);
    if (steps === 0) throw new TargetError(`"${text}" moves nowhere: use +N or -N with N >= 1`);
    return { kind: "relative", steps };
  }
  if (trimmed === "")
    throw new TargetError("an empty target: use head, base, +N, -N, a tag or its number");
  return { kind: "revision", text: trimmed };
}

/** Where a tag or its number stands in the journal; a TargetError when it is not there. */
export function positionOf(text: string, migrations: MigrationFile[]): number {
  const byTag = migrations.findIndex((migration) => migration.tag === text);
  if (byTag !== -1) return byTag;
  if (/^\d+$/.test(text)) {
    const byNumber = migrations.findIndex((migration) => migration.index === Number(text));
    if (byNumber !== -1) return byNumber;
  }
  const known = migrations.map((migration) => migration.tag).join(", ") || "none";
  throw new TargetError(`no migration "${text}" in the journal (known: ${known})`);
}

/** The migrations to run to move from the applied set to the target, before any SQL runs. */
export function planMove(
  direction: Direction,
  target: Target,
  migrations: MigrationFile[],
  isApplied: (migration: MigrationFile) => boolean,
): Plan {
  const pending = migrations.filter((migration) => !isApplied(migration));
  const applied = migrations.filter(isApplied);
  if (direction === "up") {
    switch (target.kind) {
      case "head":
        return { direction, steps: pending, note: pending.length ? undefined : "already at head" };
      case "base":
        throw new TargetError("up cannot reach base: use `down base`");
      case "relative":
        if (target.steps < 0)
          throw new TargetError(`up takes +N, not ${target.steps}: use \`down ${target.steps}\``);
        if (target.steps > pending.length) {
          throw new TargetError(
            `up +${target.steps}: only ${pending.length} migrations are pending`,
          );
        }
        return { direction, steps: pending.slice(0, target.steps) };
      case "revision": {
        const position = positionOf(target.text, migrations);
        const steps = pending.filter((migration) => migrations.indexOf(migration) <= position);
        const behind = applied.some((migration) => migrations.indexOf(migration) > position);
        const note = steps.length
          ? undefined
          : behind
            ? `${migrations[position]?.tag} is behind the current revision: use \`down ${target.text}\``
            : `already at ${migrations[position]?.tag}`;
        return { direction, steps, note };
      }
    }
  }
  const reversed = [...applied].reverse();
  switch (target.kind) {
    case "head":
      return { direction, steps: [], note: "down head moves nowhere" };
    case "base":
      return { direction, steps: reversed, note: reversed.length ? undefined : "already at base" };
    case "relative":
      if (target.steps > 0)
        throw new TargetError(`down takes -N, not +${target.steps}: use \`up +${target.steps}\``);
      if (-target.steps > applied.length) {
        throw new TargetError(
          `down ${target.steps}: only ${applied.length} migrations are applied`,
        );
      }
      return { direction, steps: reversed.slice(0, -target.steps) };
    case "revision": {
      const position = positionOf(target.text, migrations);
      const steps = reversed.filter((migration) => migrations.indexOf(migration) > position);
      return {
        direction,
        steps,
        note: steps.length ? undefined : `already at or below ${migrations[position]?.tag}`,
      };
    }
  }
}
