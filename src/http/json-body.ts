import { Elysia } from "elysia";
import { ProblemError } from "./problem";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * The deepest nesting of arrays and objects a body may have. The API's bodies are flat objects;
 * the limit keeps a deep body (a megabyte of `[`) away from the parser and the validators, which
 * recurse per level and took seconds, then overflowed the stack, on such bodies.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, read in one pass without
 * recursion (brackets inside strings do not count). Malformed text is left to JSON.parse.
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

// Fatal: a body that is not UTF-8 is refused (400), not read with U+FFFD in place of its bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true });

async function readLimited(request: Request, limit: number): Promise<string> {
  const tooLarge = () =>
    new ProblemError("payload_too_large", `The request body exceeds the limit of ${limit} bytes`);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (request.body === null) return "";
  // A declared length within the limit bounds the body (HTTP framing: the server reads no more),
  // and one whole-body read is much cheaper than the stream below. The size is checked again for
  // a Request built in process, whose header nothing enforces.
  if (declared !== null) {
    const body = await request.arrayBuffer();
    if (body.byteLength > limit) throw tooLarge();
    return utf8.decode(body);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return utf8.decode(Buffer.concat(chunks));
}

/**
 * Parses every request body: JSON only (415 otherwise), at most `limit` bytes (413, counted while
 * reading, so a body without Content-Length cannot exceed it), well-formed and nested at most
 * MAX_JSON_DEPTH levels deep (400).
 *
 * It always returns a body or throws, so a route's own `parse: "json"` never runs: routes name it
 * only so that the OpenAPI document lists application/json as their request body.
 */
export function jsonBody(limit: number) {
  return new Elysia({ name: "json-body" }).onParse({ as: "global" }, async ({ request }) => {
    // DELETE carries no body in this API; null (not undefined) stops Elysia's own parsers.
    if (!METHODS_WITH_BODY.has(request.method)) return null;
    if (request.body === null) {
      throw new ProblemError("validation_failed", "A JSON request body is required", [
        { path: "", message: "is required" },
      ]);
    }
    const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ProblemError(
        "unsupported_media_type",
        `Send the body as application/json${mediaType ? `, not ${mediaType}` : ""}`,
      );
    }
    let text: string;
    try {
      text = await readLimited(request, limit);
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      throw new ProblemError("bad_request", "The request body is not valid UTF-8");
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw new ProblemError(
        "bad_request",
        `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProblemError("bad_request", "The request body is not valid JSON");
    }
  });
}
