/**
 * Conditional requests (RFC 9110 section 13). A tenant, user or API key carries a version (the
 * row's `version` column, one more with every change); its entity tag is `"<id>-<version>"`, a
 * strong validator. A GET answers 304 when If-None-Match names the current tag; a PATCH or
 * DELETE with If-Match changes the row only while its version is one of the tags' versions, which
 * the service compares in the UPDATE or DELETE statement itself.
 *
 * When that statement changes no row, a read after it tells 404 from 412. It needs no transaction
 * with the write: ids are never reused, so a row present at the read was present at the write,
 * which therefore found another version (412); a row missing at the read is 404, true by then.
 */
import { t } from "elysia";
import { ProblemError } from "./problem";

/** More distinct versions than this in one If-Match is no client's honest request. */
const MAX_IF_MATCH_VERSIONS = 20;
// The largest value of the version column (a 32-bit integer on PostgreSQL).
const MAX_VERSION = 2 ** 31 - 1;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** A header's entity tags, `"any"` for `*`, or undefined when the value is not a list of tags. */
type TagList = EntityTag[] | "any" | undefined;

// One list element: optional whitespace, a tag (W/ and a quoted string of etagc) or nothing, then
// a comma or the end. Sticky, so the elements must follow each other with nothing between.
const ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(?:,|$)/y;

/** Parses `#entity-tag` or `*` (RFC 9110 section 8.8.3); empty elements are allowed. */
function parseTagList(value: string): TagList {
  if (value.trim() === "*") return "any";
  const tags: EntityTag[] = [];
  ELEMENT.lastIndex = 0;
  while (ELEMENT.lastIndex < value.length) {
    const start = ELEMENT.lastIndex;
    const match = ELEMENT.exec(value);
    // No progress can only happen at the end; anything else between elements is malformed.
    if (match === null || ELEMENT.lastIndex === start) return undefined;
    const [, weak, opaque] = match;
    if (opaque !== undefined) tags.push({ weak: weak !== undefined, opaque });
  }
  return tags;
}

/** The strong entity tag of a resource's representation. */
export function entityTag(id: string, version: number): string {
  return `"${id}-${version}"`;
}

/** The version an opaque tag names for the resource `id`, or undefined when it names another. */
function versionIn(opaque: string, id: string): number | undefined {
  if (!opaque.startsWith(`${id}-`)) return undefined;
  const digits = opaque.slice(id.length + 1);
  if (!/^[1-9][0-9]{0,9}$/.test(digits)) return undefined;
  const version = Number(digits);
  return version <= MAX_VERSION ? version : undefined;
}

/**
 * What a PATCH or DELETE of the resource `id` requires of its row, from If-Match: undefined when
 * any version will do (no If-Match, or `*`), else the versions it may have, which is empty when
 * no listed tag can match (a weak tag, another resource's, a malformed value): the write then
 * fails with 412 if the resource exists. Without If-Match, `required` makes it 428.
 */
export function ifMatchVersions(
  request: Request,
  id: string,
  required: boolean,
): readonly number[] | undefined {
  const value = request.headers.get("if-match");
  if (value === null) {
    if (!required) return undefined;
    throw new ProblemError(
      "precondition_required",
      'This server requires If-Match on PATCH and DELETE: send the ETag of the resource as you last read it, or "*" to change it whatever its version',
    );
  }
  const tags = parseTagList(value);
  if (tags === "any") return undefined;
  const versions = new Set<number>();
  // Strong comparison: a weak tag never matches.
  for (const tag of tags ?? []) {
    const version = tag.weak ? undefined : versionIn(tag.opaque, id);
    if (version !== undefined) versions.add(version);
  }
  if (versions.size > MAX_IF_MATCH_VERSIONS) {
    throw new ProblemError(
      "bad_request",
      `If-Match lists more than ${MAX_IF_MATCH_VERSIONS} entity tags of this resource`,
    );
  }
  return [...versions];
}

/**
 * Whether If-None-Match names the current tag (or is `*`, the resource existing): a GET then
 * answers 304. Weak comparison: `W/"x"` matches `"x"`. A malformed value matches nothing.
 */
export function noneMatchHits(request: Request, currentTag: string): boolean {
  const value = request.headers.get("if-none-match");
  if (value === null) return false;
  const tags = parseTagList(value);
  if (tags === "any") return true;
  const current = currentTag.slice(1, -1);
  return (tags ?? []).some((tag) => tag.opaque === current);
}

/** The 412 of a write whose If-Match names none of the resource's current tags. */
export const preconditionFailed = (what: string) =>
  new ProblemError(
    "precondition_failed",
    `If-Match names no current ETag of the ${what}: it has changed since the tag was read`,
  );

/**
 * Sets the ETag of a resource read from a row with its version, and returns the resource without
 * its version, which is no part of the API's bodies.
 */
export function tagged<R extends { id: string; version: number }>(
  set: { headers: Record<string, unknown> },
  { version, ...resource }: R,
): Omit<R, "version"> {
  set.headers.etag = entityTag(resource.id, version);
  return resource;
}

/** The 304 of a GET whose If-None-Match names the current tag: no body, the ETag kept. */
export const NotModified = t.Void({
  description: "Not modified: If-None-Match names the current ETag. No body",
});
