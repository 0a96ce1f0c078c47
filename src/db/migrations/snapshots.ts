/**
 * Diffs between drizzle-kit snapshots that never ask "created or renamed?": renames are stated,
 * everything else that could be one is a drop and a create.
 */

import { readFileSync } from "node:fs";
import {
  generateDrizzleJson,
  generateMigration,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from "drizzle-kit/api";
import type { Dialect } from "../../config";
import { assertUnreachable } from "../../lib/assert";
import { snapshotPath } from "./files";

export type Rename =
  | { kind: "table"; from: string; to: string }
  | { kind: "column"; table: string; from: string; to: string };

interface SnapshotColumn {
  name: string;
}
type IndexColumn = string | { expression: string; isExpression?: boolean };
interface SnapshotTable {
  name: string;
  columns: Record<string, SnapshotColumn>;
  indexes?: Record<string, { columns: IndexColumn[] }>;
  foreignKeys?: Record<
    string,
    { tableFrom: string; tableTo: string; columnsFrom: string[]; columnsTo: string[] }
  >;
  compositePrimaryKeys?: Record<string, { columns: string[] }>;
  uniqueConstraints?: Record<string, { columns: string[] }>;
}
/** drizzle-kit's snapshot JSON, as far as these diffs need to know it. */
export interface Snapshot {
  id: string;
  prevId: string;
  tables: Record<string, SnapshotTable>;
  [key: string]: unknown;
}

// drizzle-kit/api types its arguments loosely per dialect; the snapshots are its own JSON.
type DrizzleSnapshotArg = Parameters<typeof generateMigration>[0];
type DrizzleSqliteSnapshotArg = Parameters<typeof generateSQLiteMigration>[0];

export function readSnapshot(folder: string, index: number): Snapshot {
  return JSON.parse(readFileSync(snapshotPath(folder, index), "utf8")) as Snapshot;
}

export async function emptySnapshot(dialect: Dialect): Promise<Snapshot> {
  const empty =
    dialect === "postgres" ? generateDrizzleJson({}) : await generateSQLiteDrizzleJson({});
  return empty as unknown as Snapshot;
}

/** The snapshot of a module's tables (only those of the dialect count). */
export async function snapshotOf(
  dialect: Dialect,
  exports: Record<string, unknown>,
  prevId: string,
): Promise<Snapshot> {
  const snapshot =
    dialect === "postgres"
      ? generateDrizzleJson(exports, prevId)
      : await generateSQLiteDrizzleJson(exports, prevId);
  return snapshot as unknown as Snapshot;
}

async function rawDiff(dialect: Dialect, from: Snapshot, to: Snapshot): Promise<string[]> {
  return dialect === "postgres"
    ? generateMigration(from as unknown as DrizzleSnapshotArg, to as unknown as DrizzleSnapshotArg)
    : generateSQLiteMigration(
        from as unknown as DrizzleSqliteSnapshotArg,
        to as unknown as DrizzleSqliteSnapshotArg,
      );
}

const tableEntry = (snapshot: Snapshot, name: string) =>
  Object.entries(snapshot.tables).find(([, table]) => table.name === name);

const tableNames = (snapshot: Snapshot) =>
  new Set(Object.values(snapshot.tables).map((table) => table.name));

const renameIn = (list: string[], from: string, to: string) =>
  list.map((item) => (item === from ? to : item));

function applyRename(snapshot: Snapshot, rename: Rename): void {
  const entry = tableEntry(snapshot, rename.kind === "table" ? rename.from : rename.table);
  if (entry === undefined) {
    throw new Error(
      `cannot rename: there is no table "${rename.kind === "table" ? rename.from : rename.table}"`,
    );
  }
  const [key, table] = entry;
  const allForeignKeys = Object.values(snapshot.tables).flatMap((other) =>
    Object.values(other.foreignKeys ?? {}),
  );
  switch (rename.kind) {
    case "table": {
      delete snapshot.tables[key];
      table.name = rename.to;
      snapshot.tables[key.replace(/[^.]+$/, rename.to)] = table;
      for (const foreignKey of allForeignKeys) {
        if (foreignKey.tableFrom === rename.from) foreignKey.tableFrom = rename.to;
        if (foreignKey.tableTo === rename.from) foreignKey.tableTo = rename.to;
      }
      return;
    }
    case "column": {
      const column = table.columns[rename.from];
      if (column === undefined)
        throw new Error(`cannot rename: "${rename.table}" has no column "${rename.from}"`);
      delete table.columns[rename.from];
      column.name = rename.to;
      table.columns[rename.to] = column;
      for (const index of Object.values(table.indexes ?? {})) {
        index.columns = index.columns.map((item) =>
          typeof item === "string"
            ? item === rename.from
              ? rename.to
              : item
            : !item.isExpression && item.expression === rename.from
              ? { ...item, expression: rename.to }
              : item,
        );
      }
      for (const group of [table.compositePrimaryKeys, table.uniqueConstraints]) {
        for (const constraint of Object.values(group ?? {}))
          constraint.columns = renameIn(constraint.columns, rename.from, rename.to);
      }
      for (const foreignKey of allForeignKeys) {
        if (foreignKey.tableFrom === rename.table)
          foreignKey.columnsFrom = renameIn(foreignKey.columnsFrom, rename.from, rename.to);
        if (foreignKey.tableTo === rename.table)
          foreignKey.columnsTo = renameIn(foreignKey.columnsTo, rename.from, rename.to);
      }
      return;
    }
    default:
      assertUnreachable(rename);
  }
}

/** `from` without the tables and columns that `to` lacks, and whatever depends on them. */
function withoutRemoved(from: Snapshot, to: Snapshot): Snapshot {
  const result = structuredClone(from);
  const keep = tableNames(to);
  const gone = (table: string, column?: string) => {
    if (!keep.has(table)) return true;
    if (column === undefined) return false;
    const target = tableEntry(to, table)?.[1];
    return target !== undefined && !(column in target.columns);
  };
  for (const [key, table] of Object.entries(result.tables)) {
    if (gone(table.name)) {
      delete result.tables[key];
      continue;
    }
    for (const column of Object.keys(table.columns))
      if (gone(table.name, column)) delete table.columns[column];
  }
  for (const table of Object.values(result.tables)) {
    const lost = (column: string) => !(column in table.columns);
    for (const [name, index] of Object.entries(table.indexes ?? {})) {
      if (
        index.columns.some((item) =>
          typeof item === "string" ? lost(item) : !item.isExpression && lost(item.expression),
        )
      ) {
        delete table.indexes?.[name];
      }
    }
    for (const group of [table.compositePrimaryKeys, table.uniqueConstraints]) {
      for (const [name, constraint] of Object.entries(group ?? {}))
        if (constraint.columns.some(lost)) delete group?.[name];
    }
    for (const [name, foreignKey] of Object.entries(table.foreignKeys ?? {})) {
      const target = tableEntry(result, foreignKey.tableTo)?.[1];
      const broken =
        foreignKey.columnsFrom.some(lost) ||
        target === undefined ||
        foreignKey.columnsTo.some((column) => !(column in target.columns));
      if (broken) delete table.foreignKeys?.[name];
    }
  }
  return result;
}

/** Whether drizzle-kit would ask "created or renamed?" for this diff. */
export function ambiguities(from: Snapshot, to: Snapshot): string[] {
  const before = tableNames(from);
  const after = tableNames(to);
  const droppedTables = [...before].filter((name) => !after.has(name));
  const createdTables = [...after].filter((name) => !before.has(name));
  const found: string[] = [];
  if (droppedTables.length > 0 && createdTables.length > 0) {
    found.push(
      `tables ${droppedTables.join(", ")} dropped and ${createdTables.join(", ")} created`,
    );
  }
  for (const table of Object.values(from.tables)) {
    const target = tableEntry(to, table.name)?.[1];
    if (target === undefined) continue;
    const dropped = Object.keys(table.columns).filter((column) => !(column in target.columns));
    const added = Object.keys(target.columns).filter((column) => !(column in table.columns));
    if (dropped.length > 0 && added.length > 0) {
      found.push(
        `${table.name}: columns ${dropped.join(", ")} dropped and ${added.join(", ")} added`,
      );
    }
  }
  return found;
}

function quote(dialect: Dialect, name: string): string {
  return dialect === "postgres"
    ? `"${name.replaceAll('"', '""')}"`
    : `\`${name.replaceAll("`", "``")}\``;
}

function renameStatement(dialect: Dialect, rename: Rename): string {
  switch (rename.kind) {
    case "table":
      return `ALTER TABLE ${quote(dialect, rename.from)} RENAME TO ${quote(dialect, rename.to)};`;
    case "column":
      return `ALTER TABLE ${quote(dialect, rename.table)} RENAME COLUMN ${quote(dialect, rename.from)} TO ${quote(dialect, rename.to)};`;
    default:
      return assertUnreachable(rename);
  }
}

/**
 * The SQL that turns the schema of `from` into that of `to`: the stated renames first, then
 * drizzle-kit's own diff, split into drops and creates where it would otherwise ask.
 */
export async function diffSnapshots(
  dialect: Dialect,
  from: Snapshot,
  to: Snapshot,
  renames: Rename[] = [],
): Promise<string[]> {
  const renamed = structuredClone(from);
  for (const rename of renames) applyRename(renamed, rename);
  const statements = renames.map((rename) => renameStatement(dialect, rename));
  if (ambiguities(renamed, to).length === 0)
    return [...statements, ...(await rawDiff(dialect, renamed, to))];
  const intermediate = withoutRemoved(renamed, to);
  return [
    ...statements,
    ...(await rawDiff(dialect, renamed, intermediate)),
    ...(await rawDiff(dialect, intermediate, to)),
  ];
}
