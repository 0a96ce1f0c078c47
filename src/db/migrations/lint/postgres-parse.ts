/**
 * A PostgreSQL migration file through PostgreSQL's own parser (libpg-query, WASM), chunk by
 * chunk as the runner executes it, with the line of each statement's first token.
 */
import { hasSqlDetails, loadModule, type Node, type ParseResult, parseSync } from "libpg-query";
import { lineLocator, splitChunks } from "./statements";
import { codeTokens, isSymbol, type Token, tokenize } from "./tokens";

export interface PostgresStatement {
  node: Node;
  line: number;
  /** How many statements share its `--> statement-breakpoint` chunk (one query string). */
  chunkSize: number;
}

interface PostgresSyntaxError {
  line: number;
  message: string;
}

export interface ParsedPostgresFile {
  statements: PostgresStatement[];
  syntaxErrors: PostgresSyntaxError[];
}

let loading: Promise<void> | undefined;

/** libpg-query compiles its WASM module once per process before parseSync works. */
export function loadPostgresParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

/** libpg-query reports UTF-8 byte offsets; the tokens and lines count characters. */
const charOffset = (text: string, byteOffset: number) =>
  Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8").length;

/** The first token of the statement around an offset: the one after the last `;` before it. */
function statementStartAround(tokens: Token[], offset: number): Token | undefined {
  let start = tokens[0];
  for (const [index, token] of tokens.entries()) {
    if (token.start >= offset) break;
    if (isSymbol(token, ";") && tokens[index + 1] !== undefined) start = tokens[index + 1];
  }
  return start;
}

export function parsePostgresFile(text: string): ParsedPostgresFile {
  const lineOf = lineLocator(text);
  const statements: PostgresStatement[] = [];
  const syntaxErrors: PostgresSyntaxError[] = [];
  for (const chunk of splitChunks(text)) {
    const tokens = codeTokens(tokenize(chunk.text, "postgres"));
    if (tokens.length === 0) continue;
    let parsed: ParseResult;
    try {
      parsed = parseSync(chunk.text) as ParseResult;
    } catch (error) {
      const position = hasSqlDetails(error) ? error.sqlDetails.cursorPosition : 0;
      const start = statementStartAround(tokens, position) ?? tokens[0];
      syntaxErrors.push({
        line: lineOf(chunk.offset + (start?.start ?? 0)),
        message: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    const raw = parsed.stmts ?? [];
    for (const statement of raw) {
      // A statement's location may point at the whitespace and comments before it.
      if (statement.stmt === undefined) continue;
      const start = charOffset(chunk.text, statement.stmt_location ?? 0);
      const first = tokens.find((token) => token.start >= start);
      statements.push({
        node: statement.stmt,
        line: lineOf(chunk.offset + (first?.start ?? 0)),
        chunkSize: raw.length,
      });
    }
  }
  return { statements, syntaxErrors };
}
