import { getTableConfig } from "drizzle-orm/pg-core";
import { postgresTables } from "./schema";

/**
 * Columns of every unique constraint, by constraint name: PostgreSQL reports a unique violation
 * by the constraint's name only, SQLite by its columns.
 */
export const uniqueConstraintColumns: ReadonlyMap<string, string[]> = new Map(
  Object.values(postgresTables).flatMap((table): [string, string[]][] => {
    const config = getTableConfig(table);
    const tableLevel = config.uniqueConstraints.flatMap((constraint): [string, string[]][] => {
      const name = constraint.getName();
      return name ? [[name, constraint.columns.map((column) => column.name)]] : [];
    });
    const columnLevel = config.columns.flatMap((column): [string, string[]][] =>
      column.isUnique && column.uniqueName ? [[column.uniqueName, [column.name]]] : [],
    );
    return [...tableLevel, ...columnLevel];
  }),
);
