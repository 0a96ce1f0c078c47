import { Type } from "@sinclair/typebox";
import { t } from "elysia";

/** The closed list of problems the API answers with. */
const PROBLEM_TYPES = {
  bad_request: { status: 400, title: "Malformed request" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  idempotency_key_in_use: { status: 409, title: "Idempotency key in use" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Validation failed" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  precondition_required: { status: 428, title: "Precondition required" },
  too_many_requests: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal server error" },
  service_unavailable: { status: 503, title: "Service unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export interface FieldError {
  /** JSON Pointer to the offending value, e.g. `/email`; `` for the whole body. */
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  /** The X-Request-Id of the request, to find its log lines. */
  requestId?: string;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Thrown by services and handlers; the error handler turns it into a problem response. */
export class ProblemError extends Error {
  override name = "ProblemError";
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Response headers the problem needs, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? PROBLEM_TYPES[code].title);
  }

  get status(): number {
    return PROBLEM_TYPES[this.code].status;
  }
}

function problemType(code: ProblemCode): string {
  return `/problems/${code.replaceAll("_", "-")}`;
}

export function problemBody(
  code: ProblemCode,
  detail?: string,
  errors?: FieldError[],
  requestId?: string,
): ProblemBody {
  const { status, title } = PROBLEM_TYPES[code];
  return {
    type: problemType(code),
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined || errors.length === 0 ? {} : { errors }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** The problem body, for the OpenAPI document. */
export const Problem = t.Object(
  {
    type: t.String({ description: "Identifies the kind of problem, e.g. /problems/not-found" }),
    title: t.String(),
    // TypeBox's integer: Elysia's t.Integer, made for input, is a union with a numeric string,
    // which the OpenAPI document would show (and clients type) as `string | number`.
    status: Type.Integer(),
    detail: t.Optional(t.String()),
    errors: t.Optional(t.Array(t.Object({ path: t.String(), message: t.String() }))),
    requestId: t.Optional(t.String({ description: "The request's X-Request-Id" })),
  },
  { title: "Problem", description: "RFC 9457 problem details" },
);

/** Response entries for the OpenAPI document: the problem schema under each listed status. */
export function problemResponses<const S extends number>(
  ...statuses: S[]
): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<
    S,
    typeof Problem
  >;
}
