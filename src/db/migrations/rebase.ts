/**
 * `db rebase`: after a merge, the later of two migrations generated from the same parent is
 * regenerated from schema.ts on top of the other: same name, next number, a new snapshot,
 * journal entry and down file. Every dialect is planned, and every refusal made, before any
 * file changes.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Dialect } from "../../config";
import * as schema from "../schema";
import type { AppliedMigration } from "./bookkeeping";
import {
  conflictedMetaFiles,
  conflictMarkersProblem,
  type FolderMigration,
  findCollisions,
} from "./branches";
import { carryOver, statementSummary } from "./carry";
import {
  downPath,
  type Journal,
  migrationsFolder,
  readJournal,
  snapshotPath,
  splitStatements,
  upPath,
} from "./files";
import { snapshotBefore, writeMigration, writeMissingDownFiles } from "./generate";
import * as refusals from "./rebase-refusals";
import { renamesIn } from "./renames";
import { earlierSnapshotIfLaterKept } from "./shared-snapshot";
import { diffSnapshots, type Snapshot, snapshotOf } from "./snapshots";

export interface RebaseOptions {
  /** The configured database: the later migration must not be applied there. */
  database: { dialect: Dialect; description: string; applied: AppliedMigration[] };
  log(line: string): void;
  warn(line: string): void;
}

/** What rebasing one dialect's later migration writes, worked out before anything is. */
interface RebasePlan {
  dialect: Dialect;
  folder: string;
  earlier: FolderMigration | null;
  later: FolderMigration;
  /** The journal without the later migration's entry. */
  journal: Journal;
  oldUp: string | null;
  oldDown: string | null;
  /** The later migration's own snapshot file; null when it has none or it is the earlier's. */
  ownSnapshot: string | null;
  /** The earlier migration's snapshot, rebuilt because the file both shared was the later's. */
  rebuiltEarlier: Snapshot | null;
  previous: Snapshot;
  current: Snapshot;
  generated: string[];
}

const DIALECTS: readonly Dialect[] = ["postgres", "sqlite"];
const readIfExists = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : null);
const nameOf = (tag: string) => tag.replace(/^\d+_/, "");

function isApplied(folder: string, later: FolderMigration, applied: AppliedMigration[]): boolean {
  if (later.entry !== null) {
    const { when } = later.entry;
    return applied.some((row) => row.createdAt === when);
  }
  const hash = createHash("sha256")
    .update(readFileSync(upPath(folder, later.tag)))
    .digest("hex");
  return applied.some((row) => row.hash === hash);
}

async function planRebase(dialect: Dialect, options: RebaseOptions): Promise<RebasePlan | null> {
  const folder = migrationsFolder(dialect);
  const conflicted = conflictedMetaFiles(folder);
  if (conflicted.length > 0)
    throw new refusals.RebaseError(conflictMarkersProblem(folder, conflicted));
  const collisions = findCollisions(folder);
  const laters = [...new Map(collisions.map(({ later }) => [later.tag, later])).values()];
  const [later] = laters;
  if (later === undefined) return null;
  if (laters.length > 1) throw refusals.severalToMove(dialect, laters);
  const earlier = collisions.find((collision) => collision.later === later)?.earlier ?? null;
  const { database } = options;
  if (database.dialect === dialect && isApplied(folder, later, database.applied))
    throw refusals.applied(dialect, later, database.description);
  const full = readJournal(folder);
  const journal = { ...full, entries: full.entries.filter((entry) => entry.tag !== later.tag) };
  const newer = journal.entries.find((entry) => entry.when > (later.entry?.when ?? entry.when));
  if (newer !== undefined) throw refusals.followed(dialect, later, newer.tag);
  const ownIdx = later.entry?.idx ?? later.number;
  const shared = journal.entries.some((entry) => entry.idx === ownIdx);
  const ownSnapshot =
    !shared && existsSync(snapshotPath(folder, ownIdx)) ? snapshotPath(folder, ownIdx) : null;
  const oldUp = readIfExists(upPath(folder, later.tag));
  const laterEntry = later.entry;
  const rebuiltEarlier =
    shared && earlier !== null && laterEntry !== null
      ? await earlierSnapshotIfLaterKept({
          dialect,
          folder,
          earlier,
          later: { ...later, entry: laterEntry },
          journal,
          laterUp: oldUp,
        })
      : null;
  const last = journal.entries.at(-1);
  const previous =
    rebuiltEarlier !== null && last?.idx === ownIdx
      ? rebuiltEarlier
      : await snapshotBefore(dialect, folder, journal.entries.length, journal);
  const current = await snapshotOf(dialect, schema, previous.id);
  const renames = renamesIn(splitStatements(oldUp ?? ""));
  const questions = refusals.questionsAfterRenames(previous, current, renames);
  if (questions.length > 0)
    throw refusals.ambiguous(dialect, later, last?.tag ?? "base", questions);
  const generated = await diffSnapshots(dialect, previous, current, renames);
  const oldDown = readIfExists(downPath(folder, later.tag));
  return {
    ...{ dialect, folder, earlier, later, journal, oldUp, oldDown, ownSnapshot, rebuiltEarlier },
    ...{ previous, current, generated },
  };
}

/** Writes the plan: removes the old files, writes the new migration, carries hand-written SQL. */
async function applyPlan(plan: RebasePlan, options: RebaseOptions): Promise<string> {
  const { dialect, folder, later, earlier } = plan;
  const say = (line: string) => options.log(`${dialect}: ${line}`);
  if (plan.rebuiltEarlier !== null && later.entry !== null) {
    const path = snapshotPath(folder, later.entry.idx);
    writeFileSync(path, `${JSON.stringify(plan.rebuiltEarlier, null, 2)}\n`);
    say(
      `rebuilt ${relative(process.cwd(), path)} for ${earlier?.tag}: git had kept ${later.tag}'s`,
    );
  }
  const oldFiles = [upPath(folder, later.tag), downPath(folder, later.tag), plan.ownSnapshot];
  for (const path of oldFiles) {
    if (path === null || !existsSync(path)) continue;
    rmSync(path);
    say(`removed ${relative(process.cwd(), path)}`);
  }
  const custom = plan.generated.length === 0;
  // A custom migration has no diff: its snapshot is the previous one under a new id.
  const snapshot = custom
    ? { ...plan.previous, id: randomUUID(), prevId: plan.previous.id }
    : plan.current;
  const onTopOf = plan.journal.entries.at(-1)?.tag ?? "base";
  const name = nameOf(later.tag);
  const tag = writeMigration(dialect, folder, plan.journal, name, plan.generated, snapshot);
  say(
    custom
      ? `wrote ${tag}.sql on top of ${onTopOf}, keeping ${later.tag}'s hand-written files`
      : `wrote ${tag}.sql on top of ${onTopOf}, regenerated from src/db/schema.ts`,
  );
  if (custom) {
    writeFileSync(upPath(folder, tag), plan.oldUp ?? "");
    if (plan.oldDown !== null) writeFileSync(downPath(folder, tag), plan.oldDown);
  }
  for (const path of await writeMissingDownFiles(dialect, folder))
    say(`wrote ${relative(process.cwd(), path)}`);
  // What the new files keep of the old ones that no diff explains: only a person can judge it.
  let carried: { file: string; statements: string[] }[];
  if (custom) {
    carried = [
      { file: `${tag}.sql`, statements: splitStatements(plan.oldUp ?? "") },
      { file: `${tag}.down.sql`, statements: splitStatements(plan.oldDown ?? "") },
    ];
  } else {
    const up = carryOver(plan.oldUp, plan.generated, "after");
    const generatedDown = splitStatements(readFileSync(downPath(folder, tag), "utf8"));
    const down = carryOver(plan.oldDown, generatedDown, "before");
    writeFileSync(upPath(folder, tag), up.text);
    writeFileSync(downPath(folder, tag), down.text);
    carried = [
      { file: `${tag}.sql`, statements: up.carried },
      { file: `${tag}.down.sql`, statements: down.carried },
    ];
  }
  const against = earlier === null ? "the migrations before it" : earlier.tag;
  for (const { file, statements } of carried) {
    for (const statement of statements) {
      options.warn(
        `${dialect}: ${file} carries over hand-written SQL from ${later.tag} unchanged; ` +
          `review it against ${against}: ${statementSummary(statement)}`,
      );
    }
  }
  return tag;
}

/** Rebases each dialect's later migration; returns the new tags, none when nothing collides. */
export async function rebaseMigrations(options: RebaseOptions): Promise<string[]> {
  const plans: RebasePlan[] = [];
  for (const dialect of DIALECTS) {
    const plan = await planRebase(dialect, options);
    if (plan !== null) plans.push(plan);
  }
  const written: string[] = [];
  for (const plan of plans) written.push(await applyPlan(plan, options));
  return written;
}
