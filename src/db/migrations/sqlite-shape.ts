import type { Database as BunSqlite } from "bun:sqlite";
import { SQLITE_FAILURES_TABLE } from "./failures";

const BOOKKEEPING = "__drizzle_migrations";

/**
 * A SQLite schema as its PRAGMAs describe it, so that two databases can be compared whatever
 * text their CREATE statements were stored with (a table rebuild rewrites it).
 */
export function describeSqliteSchema(sqlite: BunSqlite) {
  const tables = sqlite
    .query<{ name: string; sql: string }, []>(
      `select name, sql from sqlite_master where type = 'table'
       and name not like 'sqlite_%' and name not in ('${BOOKKEEPING}', '${SQLITE_FAILURES_TABLE}') order by name`,
    )
    .all();
  return tables.map(({ name, sql }) => {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const indexes = sqlite
      .query<{ name: string; unique: number; origin: string; partial: number }, []>(
        `PRAGMA index_list(${quoted})`,
      )
      .all()
      .map((index) => ({
        name: index.name.startsWith("sqlite_autoindex_") ? "(automatic)" : index.name,
        unique: index.unique,
        origin: index.origin,
        partial: index.partial,
        columns: sqlite
          .query<{ name: string }, []>(`PRAGMA index_info("${index.name.replaceAll('"', '""')}")`)
          .all()
          .map((column) => column.name),
      }))
      .sort((a, b) => `${a.name}${a.columns}`.localeCompare(`${b.name}${b.columns}`));
    // CHECK constraints appear only in the CREATE statement; compare their text, unquoted.
    const checks = [...sql.matchAll(/CONSTRAINT\s+["`]?([\w]+)["`]?\s+CHECK\s*\(/gi)]
      .map((match) => match[1])
      .sort();
    return {
      name,
      columns: sqlite.query(`PRAGMA table_xinfo(${quoted})`).all(),
      indexes,
      foreignKeys: sqlite.query(`PRAGMA foreign_key_list(${quoted})`).all(),
      checks,
    };
  });
}
