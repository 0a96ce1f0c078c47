/**
 * The tables, column types and indexes that earlier migrations built on PostgreSQL, replayed from
 * their parse trees (the linter opens no database). Tables the earlier migrations made are
 * "existing": they may hold rows and the running app uses them. A table the linted file creates
 * is new until the end of the file.
 */
import type { Node } from "libpg-query";
import {
  type ColumnType,
  columnType,
  droppedKey,
  nodeOf,
  relationKey,
  tableKey,
} from "./postgres-ast";

interface TableModel {
  existing: boolean;
  /** null: a column whose type the model could not read. */
  columns: Map<string, ColumnType | null>;
}

export class PostgresSchema {
  private readonly tables = new Map<string, TableModel>();
  /** Index key -> the key of its table, for DROP INDEX. */
  private readonly indexes = new Map<string, string>();

  /** After replaying the earlier migrations: all their tables are existing ones. */
  markAllExisting(): void {
    for (const table of this.tables.values()) table.existing = true;
  }

  isExisting(key: string | null): boolean {
    return key !== null && this.tables.get(key)?.existing === true;
  }

  /** The column's type; undefined when the model does not know the column. */
  typeOf(table: string, column: string): ColumnType | null | undefined {
    return this.tables.get(table)?.columns.get(column);
  }

  tableOfIndex(object: Node): string | null {
    const key = droppedKey(object);
    return key === null ? null : (this.indexes.get(key) ?? null);
  }

  /** Moves the model past one statement. */
  apply(node: Node): void {
    const create = nodeOf(node, "CreateStmt");
    const alter = nodeOf(node, "AlterTableStmt");
    const rename = nodeOf(node, "RenameStmt");
    const drop = nodeOf(node, "DropStmt");
    const index = nodeOf(node, "IndexStmt");
    if (create !== undefined) this.create(relationKey(create.relation), create.tableElts);
    if (alter?.objtype === "OBJECT_TABLE") this.alter(relationKey(alter.relation), alter.cmds);
    if (rename !== undefined) this.rename(rename);
    for (const object of drop?.objects ?? []) {
      const key = droppedKey(object) ?? "";
      if (drop?.removeType === "OBJECT_TABLE") this.tables.delete(key);
      if (drop?.removeType === "OBJECT_INDEX") this.indexes.delete(key);
    }
    const indexedTable = relationKey(index?.relation);
    if (index?.idxname !== undefined && indexedTable !== null)
      this.indexes.set(tableKey(index.relation?.schemaname, index.idxname), indexedTable);
  }

  private alter(key: string | null, commands: Node[] | undefined): void {
    const table = this.tables.get(key ?? "");
    if (table === undefined) return;
    for (const command of commands ?? []) {
      const cmd = nodeOf(command, "AlterTableCmd");
      const column = nodeOf(cmd?.def, "ColumnDef");
      if (cmd?.subtype === "AT_AddColumn" && column?.colname !== undefined)
        table.columns.set(column.colname, columnType(column.typeName));
      if (cmd?.subtype === "AT_DropColumn" && cmd.name !== undefined)
        table.columns.delete(cmd.name);
      if (cmd?.subtype === "AT_AlterColumnType" && cmd.name !== undefined)
        table.columns.set(cmd.name, columnType(column?.typeName));
    }
  }

  private create(key: string | null, elements: Node[] | undefined): void {
    // CREATE TABLE IF NOT EXISTS of a table that exists changes nothing.
    if (key === null || this.tables.has(key)) return;
    const columns = new Map<string, ColumnType | null>();
    for (const element of elements ?? []) {
      const column = nodeOf(element, "ColumnDef");
      if (column?.colname !== undefined) columns.set(column.colname, columnType(column.typeName));
    }
    this.tables.set(key, { existing: false, columns });
  }

  private rename(rename: NonNullable<ReturnType<typeof nodeOf<"RenameStmt">>>): void {
    const key = relationKey(rename.relation);
    const table = this.tables.get(key ?? "");
    if (key === null || table === undefined || rename.newname === undefined) return;
    if (rename.renameType === "OBJECT_TABLE") {
      const renamed = tableKey(rename.relation?.schemaname, rename.newname);
      this.tables.delete(key);
      this.tables.set(renamed, table);
      for (const [index, indexed] of this.indexes)
        if (indexed === key) this.indexes.set(index, renamed);
    } else if (rename.renameType === "OBJECT_COLUMN" && rename.subname !== undefined) {
      const type = table.columns.get(rename.subname);
      table.columns.delete(rename.subname);
      table.columns.set(rename.newname, type ?? null);
    }
  }
}
