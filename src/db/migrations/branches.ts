/**
 * Migrations generated on two branches from the same parent, as they look after the merge:
 * journal entries that share a number, snapshots that share a parent, and `.sql` files that no
 * journal entry lists because the merge conflict on meta/ was resolved by keeping one side.
 * drizzle's migrator would silently skip such a migration; `db rebase` moves it on top.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { readJournal, snapshotPath } from "./files";
import { readSnapshot } from "./snapshots";

/** A migration as the folder shows it: an entry of the journal, or a `.sql` file alone. */
export interface FolderMigration {
  tag: string;
  /** The number its tag starts with. */
  number: number;
  /** Its journal entry; null for an orphan `.sql` file. */
  entry: { idx: number; when: number } | null;
}

export interface Collision {
  kind: "number" | "parent" | "orphan";
  /** The migration that stays; null for an orphan whose number no journal entry takes. */
  earlier: FolderMigration | null;
  /** The one to regenerate on top: the journal entry with the larger `when`, or the orphan. */
  later: FolderMigration;
}

const REBASE_COMMAND = "npm run db -- rebase";
const CONFLICT_MARKER = /^<{7} /m;

const numberOf = (tag: string) => Number(tag.match(/^(\d+)_/)?.[1] ?? Number.NaN);
const padded = (number: number) => String(number).padStart(4, "0");

/** The files under meta/ that still hold git's conflict markers: nothing there can be parsed. */
export function conflictedMetaFiles(folder: string): string[] {
  const meta = join(folder, "meta");
  if (!existsSync(meta)) return [];
  return readdirSync(meta)
    .filter((file) => file.endsWith(".json"))
    .filter((file) => CONFLICT_MARKER.test(readFileSync(join(meta, file), "utf8")))
    .map((file) => `meta/${file}`);
}

/** The later of two journal entries: the larger `when`, or the second one on a tie. */
function ordered(
  first: FolderMigration,
  second: FolderMigration,
): [FolderMigration, FolderMigration] {
  return (first.entry?.when ?? 0) > (second.entry?.when ?? 0) ? [second, first] : [first, second];
}

/** Every collision in a dialect's folder, one per pair of migrations, in journal order. */
export function findCollisions(folder: string): Collision[] {
  const listed: FolderMigration[] = readJournal(folder).entries.map((entry) => ({
    tag: entry.tag,
    number: numberOf(entry.tag),
    entry: { idx: entry.idx, when: entry.when },
  }));
  const collisions = new Map<string, Collision>();
  const add = (kind: Collision["kind"], first: FolderMigration, second: FolderMigration) => {
    const [earlier, later] = ordered(first, second);
    const key = `${earlier.tag} ${later.tag}`;
    if (!collisions.has(key)) collisions.set(key, { kind, earlier, later });
  };
  for (const [position, first] of listed.entries()) {
    for (const second of listed.slice(position + 1)) {
      if (first.entry?.idx === second.entry?.idx || first.number === second.number)
        add("number", first, second);
    }
  }
  const byParent = new Map<string, FolderMigration>();
  for (const migration of listed) {
    const idx = migration.entry?.idx ?? -1;
    if (!existsSync(snapshotPath(folder, idx))) continue;
    const { prevId } = readSnapshot(folder, idx);
    const sibling = byParent.get(prevId);
    if (sibling === undefined) byParent.set(prevId, migration);
    else if (sibling.entry?.idx !== idx) add("parent", sibling, migration);
  }
  const tags = new Set(listed.map((migration) => migration.tag));
  for (const file of readdirSync(folder).sort()) {
    if (!file.endsWith(".sql") || file.endsWith(".down.sql")) continue;
    const tag = file.slice(0, -".sql".length);
    if (tags.has(tag)) continue;
    const number = numberOf(tag);
    const earlier = listed.find((migration) => migration.number === number) ?? null;
    collisions.set(tag, { kind: "orphan", earlier, later: { tag, number, entry: null } });
  }
  return [...collisions.values()];
}

/** The tag of the migration whose snapshot has this id, for naming a shared parent. */
function tagOfSnapshot(folder: string, id: string): string | null {
  const entry = readJournal(folder).entries.find(
    (candidate) =>
      existsSync(snapshotPath(folder, candidate.idx)) &&
      readSnapshot(folder, candidate.idx).id === id,
  );
  return entry?.tag ?? null;
}

function describeCollision(folder: string, collision: Collision): string {
  const { earlier, later } = collision;
  const where = `drizzle/${basename(folder)}`;
  const fix = earlier
    ? `Run ${REBASE_COMMAND} to regenerate ${later.tag}, the later one, on top of ${earlier.tag}.`
    : `Run ${REBASE_COMMAND} to regenerate it as the newest migration.`;
  if (collision.kind === "orphan") {
    const taken = earlier
      ? `, and its number ${padded(later.number)} is taken by ${earlier.tag}`
      : "";
    return (
      `${where}: ${later.tag}.sql is not in meta/_journal.json${taken}: a merge kept the other ` +
      `branch's journal, so no migrator would ever apply it. ${fix}`
    );
  }
  if (earlier === null) throw new Error(`${later.tag}: a journal collision names one migration`);
  const branches = "two branches each generated one from the same parent";
  if (collision.kind === "number") {
    const shared =
      earlier.number === later.number
        ? `both take number ${padded(later.number)}`
        : `share idx ${later.entry?.idx}`;
    return `${where}: ${earlier.tag} and ${later.tag} ${shared} in meta/_journal.json: ${branches}. ${fix}`;
  }
  const { prevId } = readSnapshot(folder, earlier.entry?.idx ?? -1);
  const parent = tagOfSnapshot(folder, prevId) ?? `the snapshot ${prevId}`;
  return (
    `${where}: ${earlier.tag} and ${later.tag} were both generated on top of ${parent} ` +
    `(their snapshots share prevId ${prevId}): ${branches}. ${fix}`
  );
}

/** One problem per collision, each naming both migrations and the fix. */
export function collisionProblems(folder: string, collisions = findCollisions(folder)): string[] {
  return collisions.map((collision) => describeCollision(folder, collision));
}

const mentions = (problem: string, tag: string) =>
  new RegExp(`(^|[^\\w])${tag.replace(/[^\w]/g, "\\$&")}([^\\w]|$)`).test(problem);

/**
 * The collisions first, then the snapshot chain's own problems except those about the
 * migrations that collide: a collision breaks their chain too, and one message says it better.
 * Files with conflict markers come alone, since nothing else can be read.
 */
export function withBranchCollisions(folder: string, chainProblems: () => string[]): string[] {
  const conflicted = conflictedMetaFiles(folder);
  if (conflicted.length > 0) return [conflictMarkersProblem(folder, conflicted)];
  const collisions = findCollisions(folder);
  const involved = collisions.flatMap(({ earlier, later }) =>
    [earlier, later].flatMap((migration) => (migration === null ? [] : [migration])),
  );
  const paths = involved.map((migration) =>
    snapshotPath(folder, migration.entry?.idx ?? migration.number),
  );
  const unrelated = chainProblems().filter(
    (problem) =>
      !paths.some((path) => problem.includes(path)) &&
      !involved.some((migration) => mentions(problem, migration.tag)),
  );
  return [...collisionProblems(folder, collisions), ...unrelated];
}

export function conflictMarkersProblem(folder: string, files: string[]): string {
  const where = `drizzle/${basename(folder)}`;
  return (
    `${where}: ${files.join(", ")} still ${files.length === 1 ? "holds" : "hold"} git's ` +
    "conflict markers. Keep your side of meta/ " +
    `(git checkout --ours -- ${where}/meta), then run ${REBASE_COMMAND}.`
  );
}
