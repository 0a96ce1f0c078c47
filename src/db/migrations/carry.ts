/**
 * Hand-written SQL in a migration that `db rebase` regenerates: whatever the new diff does not
 * contain is kept unchanged, since only its author knows what it is for.
 */
import { joinStatements, runsOutsideTransaction, splitStatements } from "./files";

const NO_TRANSACTION_LINE = "-- migrate:no-transaction";

/** A statement without its comment lines and with its whitespace collapsed, for comparing. */
export function normalizeStatement(statement: string): string {
  return statement
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A statement on one short line, for naming it in a warning. */
export function statementSummary(statement: string): string {
  const line = normalizeStatement(statement);
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

export interface CarriedFile {
  /** The new file's text. */
  text: string;
  /** The old file's statements that the regenerated ones lack, kept unchanged. */
  carried: string[];
}

/**
 * The regenerated statements, each in its old wording when the old file had it (so comments
 * such as `-- lint:allow` survive), plus the old file's other statements: after the generated
 * ones in an up file; before them in a down file, which undoes the up file in reverse order.
 * The old file's `-- migrate:no-transaction` first line is kept too.
 */
export function carryOver(
  oldText: string | null,
  generated: string[],
  place: "after" | "before",
): CarriedFile {
  const outside = runsOutsideTransaction(oldText);
  // The marker is the first line of the first statement; it goes back on top, not mid-file.
  const body = oldText === null ? "" : outside ? oldText.slice(oldText.indexOf("\n") + 1) : oldText;
  const old = splitStatements(body);
  const oldWording = new Map(old.map((statement) => [normalizeStatement(statement), statement]));
  const regenerated = new Set(generated.map(normalizeStatement));
  const carried = old.filter((statement) => !regenerated.has(normalizeStatement(statement)));
  const kept = generated.map(
    (statement) => oldWording.get(normalizeStatement(statement)) ?? statement,
  );
  const statements = place === "after" ? [...kept, ...carried] : [...carried, ...kept];
  const marker = outside ? `${NO_TRANSACTION_LINE}\n` : "";
  return { text: marker + joinStatements(statements), carried };
}
