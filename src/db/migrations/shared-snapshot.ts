/**
 * Two journal entries with one idx share one snapshot file, since git kept one branch's. When
 * that is the later migration's, `db rebase` rebuilds the earlier one's: schema.ts's snapshot
 * with the later migration's changes undone.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { Dialect } from "../../config";
import * as schema from "../schema";
import type { FolderMigration } from "./branches";
import { normalizeStatement } from "./carry";
import { type Journal, snapshotPath, splitStatements, upPath } from "./files";
import { snapshotBefore } from "./generate";
import { sharedSnapshotUnknown } from "./rebase-refusals";
import { diffSnapshots, readSnapshot, type Snapshot, snapshotOf } from "./snapshots";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Sets every value of `target` that differs between `before` and `after` back to `before`'s. */
function undoChanges(
  target: Record<string, unknown>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): void {
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const now = after[key];
    if (isDeepStrictEqual(was, now)) continue;
    const current = target[key];
    if (isRecord(was) && isRecord(now) && isRecord(current)) undoChanges(current, was, now);
    else if (was === undefined) delete target[key];
    else target[key] = structuredClone(was);
  }
}

/** How many statements of the diff from `before` to `shared` a migration's up file holds. */
async function shareOf(
  dialect: Dialect,
  before: Snapshot,
  shared: Snapshot,
  statements: string[],
): Promise<number> {
  const held = new Set(statements.map(normalizeStatement));
  const diff = await diffSnapshots(dialect, before, shared);
  return diff.filter((statement) => held.has(normalizeStatement(statement))).length;
}

/** Whether the shared snapshot is the later migration's: its diff is more in the later's SQL. */
async function sharedSnapshotIsLaters(
  dialect: Dialect,
  before: Snapshot,
  shared: Snapshot,
  up: { earlier: string[]; later: string[] },
): Promise<boolean> {
  const later = await shareOf(dialect, before, shared, up.later);
  return later > (await shareOf(dialect, before, shared, up.earlier));
}

/**
 * The earlier migration's snapshot: `schemaSnapshot` without what `laters` added to `before`.
 * Null when the result does not explain the earlier migration's SQL (schema.ts holds changes of
 * its own, say): then only git still has the right file.
 */
async function rebuildEarlierSnapshot(
  dialect: Dialect,
  before: Snapshot,
  laters: Snapshot,
  schemaSnapshot: Snapshot,
  earlierUp: string[],
): Promise<Snapshot | null> {
  const rebuilt = structuredClone(schemaSnapshot);
  undoChanges(rebuilt, before, laters);
  rebuilt.id = randomUUID();
  rebuilt.prevId = before.id;
  const diff = await diffSnapshots(dialect, before, rebuilt);
  const held = new Set(earlierUp.map(normalizeStatement));
  return diff.every((statement) => held.has(normalizeStatement(statement))) ? rebuilt : null;
}

/**
 * The earlier migration's snapshot when the file both entries share is the later one's, or null
 * when it is the earlier one's already. `journal` is the journal without the later entry.
 */
export async function earlierSnapshotIfLaterKept(options: {
  dialect: Dialect;
  folder: string;
  earlier: FolderMigration;
  later: FolderMigration & { entry: { idx: number } };
  journal: Journal;
  laterUp: string | null;
}): Promise<Snapshot | null> {
  const { dialect, folder, earlier, later, journal } = options;
  const { idx } = later.entry;
  const position = journal.entries.findIndex((entry) => entry.idx === idx);
  if (position < 0 || !existsSync(snapshotPath(folder, idx))) return null;
  const before = await snapshotBefore(dialect, folder, position, journal);
  const shared = readSnapshot(folder, idx);
  const earlierPath = upPath(folder, earlier.tag);
  const up = {
    earlier: existsSync(earlierPath) ? splitStatements(readFileSync(earlierPath, "utf8")) : [],
    later: splitStatements(options.laterUp ?? ""),
  };
  if (!(await sharedSnapshotIsLaters(dialect, before, shared, up))) return null;
  const current = await snapshotOf(dialect, schema, before.id);
  const rebuilt = await rebuildEarlierSnapshot(dialect, before, shared, current, up.earlier);
  if (rebuilt === null) throw sharedSnapshotUnknown(dialect, folder, idx, earlier, later);
  return rebuilt;
}
