/**
 * Where things are in a migration file: its `--> statement-breakpoint` chunks (what the runner
 * executes one by one), the line of each statement's first token, and the `-- lint:allow`
 * comments in the run of comment lines above a statement.
 */
import type { Dialect } from "../../../config";
import { isRuleId, RULES, type RuleId } from "./rules";
import { codeTokens, isSymbol, isWord, type Token, tokenize } from "./tokens";

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";
const APPROVAL = /^--\s*lint:allow\b\s*(\S*)\s*(.*)$/;

/** Text the runner executes in one go: the file split at each statement breakpoint. */
export interface Chunk {
  text: string;
  /** Character offset of the chunk in the file. */
  offset: number;
}

export function splitChunks(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let offset = 0;
  for (const part of text.split(STATEMENT_BREAKPOINT)) {
    chunks.push({ text: part, offset });
    offset += part.length + STATEMENT_BREAKPOINT.length;
  }
  return chunks;
}

/** 1-based line numbers of character offsets in a text. */
export function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

interface Approval {
  rule: RuleId;
  reason: string;
}

/** A `-- lint:allow` comment that cannot approve anything, reported as bad-approval. */
interface BadApproval {
  line: number;
  message: string;
}

export interface ApprovalIndex {
  /** The approvals written in the comment lines directly above a statement on `line`. */
  above(line: number): Approval[];
  bad: BadApproval[];
}

export function readApprovals(text: string, dialect: Dialect): ApprovalIndex {
  const lineOf = lineLocator(text);
  const lines = text.split("\n");
  const commentLines = new Set<number>();
  const approvals = new Map<number, Approval>();
  const bad: BadApproval[] = [];
  for (const token of tokenize(text, dialect)) {
    if (token.kind !== "comment" || !token.value.startsWith("--")) continue;
    const line = lineOf(token.start);
    // Only a comment that opens its line makes the line a comment line.
    if ((lines[line - 1] ?? "").trimStart().startsWith("--")) commentLines.add(line);
    const match = token.value.match(APPROVAL);
    if (match === null) continue;
    const [, rule = "", reason = ""] = match;
    if (!isRuleId(rule) || !RULES[rule].approvable) {
      bad.push({
        line,
        message:
          rule === ""
            ? "`-- lint:allow` names no rule"
            : `\`-- lint:allow ${rule}\` names ${isRuleId(rule) ? "a rule that cannot be approved" : "no known rule"}`,
      });
    } else if (reason.trim() === "") {
      bad.push({ line, message: `\`-- lint:allow ${rule}\` gives no reason` });
    } else {
      approvals.set(line, { rule, reason: reason.trim() });
    }
  }
  return {
    above(line) {
      const found: Approval[] = [];
      for (let above = line - 1; commentLines.has(above); above -= 1) {
        const approval = approvals.get(above);
        if (approval !== undefined) found.push(approval);
      }
      return found;
    },
    bad,
  };
}

/** One SQL statement of a file, as the SQLite rules see it. */
export interface SqlStatement {
  /** From its first token to the end of its last, without the `;`. */
  text: string;
  /** Its tokens without comments. */
  tokens: Token[];
  /** Line of its first token, 1-based. */
  line: number;
  /** Index of the chunk it came from. */
  chunk: number;
}

/**
 * Splits a chunk at its `;`s. A trigger's body holds `;`s of its own: its statement ends at
 * the `;` after the END that closes its BEGIN (CASE ... END nests inside).
 */
function splitAtSemicolons(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    const isTrigger =
      isWord(current[0], "create") && current.slice(1, 3).some((word) => isWord(word, "trigger"));
    if (isSymbol(token, ";") && depth === 0) {
      if (current.length > 0) statements.push(current);
      current = [];
      continue;
    }
    current.push(token);
    if (!isTrigger) continue;
    if (isWord(token, "begin", "case")) depth += 1;
    else if (isWord(token, "end")) depth = Math.max(0, depth - 1);
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/** The statements of a SQLite migration file, in order. */
export function sqliteStatements(text: string): SqlStatement[] {
  const lineOf = lineLocator(text);
  return splitChunks(text).flatMap((chunk, chunkIndex) =>
    splitAtSemicolons(codeTokens(tokenize(chunk.text, "sqlite"))).map((tokens) => {
      const first = tokens[0] as Token;
      const last = tokens.at(-1) as Token;
      return {
        text: chunk.text.slice(first.start, last.end),
        tokens,
        line: lineOf(chunk.offset + first.start),
        chunk: chunkIndex,
      };
    }),
  );
}
