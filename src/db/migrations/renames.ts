import type { Rename } from "./snapshots";

const IDENTIFIER = String.raw`["\x60]([^"\x60]+)["\x60]`;
const QUALIFIED = String.raw`(?:["\x60][^"\x60]+["\x60]\.)?${IDENTIFIER}`;
const RENAME_COLUMN = new RegExp(
  `^ALTER TABLE ${QUALIFIED} RENAME COLUMN ${IDENTIFIER} TO ${IDENTIFIER}`,
  "i",
);
const RENAME_TABLE = new RegExp(`^ALTER TABLE ${QUALIFIED} RENAME TO ${IDENTIFIER}`, "i");

/** The renames a migration's SQL performs, in order; SQLite's table rebuilds are not renames. */
export function renamesIn(statements: string[]): Rename[] {
  return statements.flatMap((statement): Rename[] => {
    const trimmed = statement.trim();
    const column = trimmed.match(RENAME_COLUMN);
    if (column?.[1] && column[2] && column[3])
      return [{ kind: "column", table: column[1], from: column[2], to: column[3] }];
    const table = trimmed.match(RENAME_TABLE);
    if (table?.[1] && table[2] && !table[1].startsWith("__new_"))
      return [{ kind: "table", from: table[1], to: table[2] }];
    return [];
  });
}

/** The renames that undo `renames`, in the order that undoes them. */
export function invertRenames(renames: Rename[]): Rename[] {
  return [...renames]
    .reverse()
    .map((rename) =>
      rename.kind === "table"
        ? { kind: "table", from: rename.to, to: rename.from }
        : { kind: "column", table: rename.table, from: rename.to, to: rename.from },
    );
}
