/**
 * A small SQL tokenizer: enough to find where statements start, which lines are comments, and
 * (for SQLite) what a statement does. It respects quotes ('..', "..", `..`, [..]), line and
 * block comments, and PostgreSQL's dollar quotes, so that none of them hides or fakes a `;`.
 */
import type { Dialect } from "../../../config";

type TokenKind =
  /** A keyword or bare name; `value` is lower-cased (SQL folds them). */
  | "word"
  /** A quoted name; `value` is the name without quotes. */
  | "identifier"
  /** A string constant (including dollar-quoted ones); `value` is its content. */
  | "string"
  | "number"
  | "comment"
  /** Any other character: punctuation and operators, one character each. */
  | "symbol";

export interface Token {
  kind: TokenKind;
  /** Character offsets into the tokenized text. */
  start: number;
  end: number;
  value: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** Where a quoted run ends: after the closing quote, or at the end of the text if unclosed. */
function quotedEnd(text: string, start: number, close: string, backslashEscapes = false): number {
  let at = start + 1;
  while (at < text.length) {
    const char = text[at];
    if (backslashEscapes && char === "\\") {
      at += 2;
      continue;
    }
    if (char === close) {
      // A doubled quote is an escaped quote, not the end.
      if (text[at + 1] === close && close !== "]") {
        at += 2;
        continue;
      }
      return at + 1;
    }
    at += 1;
  }
  return text.length;
}

/** PostgreSQL block comments nest; SQLite's do not. */
function blockCommentEnd(text: string, start: number, nested: boolean): number {
  let depth = 0;
  let at = start;
  while (at < text.length) {
    if (text.startsWith("/*", at) && (nested || depth === 0)) {
      depth += 1;
      at += 2;
    } else if (text.startsWith("*/", at)) {
      depth -= 1;
      at += 2;
      if (depth === 0) return at;
    } else {
      at += 1;
    }
  }
  return text.length;
}

function unquote(raw: string, close: string): string {
  const inner = raw.slice(1, raw.endsWith(close) && raw.length > 1 ? -1 : undefined);
  return close === "]" ? inner : inner.replaceAll(close + close, close);
}

export function tokenize(text: string, dialect: Dialect): Token[] {
  const postgres = dialect === "postgres";
  const tokens: Token[] = [];
  let at = 0;
  const push = (kind: TokenKind, end: number, value: string) => {
    tokens.push({ kind, start: at, end, value });
    at = end;
  };
  while (at < text.length) {
    const char = text[at] ?? "";
    const next = text[at + 1] ?? "";
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === "-" && next === "-") {
      const newline = text.indexOf("\n", at);
      const end = newline === -1 ? text.length : newline;
      push("comment", end, text.slice(at, end));
    } else if (char === "/" && next === "*") {
      const end = blockCommentEnd(text, at, postgres);
      push("comment", end, text.slice(at, end));
    } else if (char === "'") {
      const end = quotedEnd(text, at, "'");
      push("string", end, unquote(text.slice(at, end), "'"));
    } else if (postgres && (char === "E" || char === "e") && next === "'") {
      const end = quotedEnd(text, at + 1, "'", true);
      push("string", end, text.slice(at + 2, end - 1));
    } else if (char === '"' || (!postgres && char === "`")) {
      const end = quotedEnd(text, at, char);
      push("identifier", end, unquote(text.slice(at, end), char));
    } else if (!postgres && char === "[") {
      const end = quotedEnd(text, at, "]");
      push("identifier", end, unquote(text.slice(at, end), "]"));
    } else if (postgres && char === "$" && DOLLAR_TAG.test(text.slice(at, at + 64))) {
      const tag = text.slice(at).match(DOLLAR_TAG)?.[0] ?? "$$";
      const close = text.indexOf(tag, at + tag.length);
      const end = close === -1 ? text.length : close + tag.length;
      push("string", end, text.slice(at + tag.length, close === -1 ? end : close));
    } else if (WORD_START.test(char)) {
      let end = at + 1;
      while (end < text.length && WORD_PART.test(text[end] ?? "")) end += 1;
      push("word", end, text.slice(at, end).toLowerCase());
    } else if (DIGIT.test(char) || (char === "." && DIGIT.test(next))) {
      let end = at + 1;
      while (end < text.length && /[0-9.eE]/.test(text[end] ?? "")) end += 1;
      push("number", end, text.slice(at, end));
    } else {
      push("symbol", at + 1, char);
    }
  }
  return tokens;
}

/** The tokens that carry meaning: everything but comments. */
export const codeTokens = (tokens: Token[]) => tokens.filter((token) => token.kind !== "comment");

/** A keyword among `words` (lower-case): bare words are folded already. */
export const isWord = (token: Token | undefined, ...words: string[]) =>
  token?.kind === "word" && words.includes(token.value);

export const isSymbol = (token: Token | undefined, symbol: string) =>
  token?.kind === "symbol" && token.value === symbol;

/** Anything that can name a table or column: a bare word, a quoted name, or (SQLite) a string. */
export const isName = (token: Token | undefined) =>
  token?.kind === "word" || token?.kind === "identifier" || token?.kind === "string";
