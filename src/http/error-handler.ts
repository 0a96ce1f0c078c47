import { Elysia, type ValidationError } from "elysia";
import { uniqueConstraintColumns } from "../db/constraints";
import {
  classifyDatabaseError,
  type DatabaseFailure,
  isMissingPreparedStatement,
  PREPARE_HINT,
} from "../db/errors";
import { assertUnreachable } from "../lib/assert";
import type { Logger } from "../lib/logger";
import { reportFailure } from "./last-resort";
import { type FieldError, PROBLEM_CONTENT_TYPE, ProblemError, problemBody } from "./problem";
import { requestIdOf } from "./request-log";

const snakeToCamel = (name: string) =>
  name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** tenants -> tenant: tables are named after their rows in the plural. */
const rowName = (table: string) => table.replace(/s$/, "");

const CHECK_MESSAGES: Record<string, FieldError> = {
  users_role_check: { path: "/role", message: "must be one of owner, admin, member" },
};

function problemForDatabase(failure: DatabaseFailure): ProblemError {
  switch (failure.kind) {
    case "unique": {
      // A tenant's id scopes a uniqueness rule; it is not what the client should change.
      const fields = failure.columns.filter((column) => column !== "tenant_id").map(snakeToCamel);
      const what = fields.length > 0 ? fields.join(" and ") : "these values";
      const scope = failure.columns.includes("tenant_id") ? " in this tenant" : "";
      return new ProblemError(
        "conflict",
        `A ${rowName(failure.table) || "resource"} with this ${what} already exists${scope}`,
        fields.map((field) => ({ path: `/${field}`, message: "is already taken" })),
      );
    }
    case "foreign_key":
      return new ProblemError("not_found", "A resource this request refers to does not exist");
    case "check": {
      const fieldError = CHECK_MESSAGES[failure.constraint];
      return new ProblemError(
        "validation_failed",
        fieldError ? `${fieldError.path.slice(1)} ${fieldError.message}` : "A value is not allowed",
        fieldError ? [fieldError] : undefined,
      );
    }
    case "not_null": {
      const field = snakeToCamel(failure.column);
      return new ProblemError("validation_failed", `${field} is required`, [
        { path: `/${field}`, message: "is required" },
      ]);
    }
    case "unstorable_text":
      return new ProblemError(
        "validation_failed",
        "A value holds characters that cannot be stored",
      );
    case "unavailable":
      return new ProblemError("service_unavailable", "The database is unavailable; retry shortly");
    default:
      return assertUnreachable(failure);
  }
}

/** At most this many field errors in one problem: enough to fix a body, bounded for any body. */
const MAX_FIELD_ERRORS = 20;

type ErrorIterable = Iterable<{ path?: unknown; message?: unknown; schema?: unknown }>;

/**
 * The field errors of a failed validation, read from TypeBox's error iterator: only each error's
 * path, message and the schema's own `error` text, never the submitted value. Elysia's own
 * summaries (`ValidationError.all`) interpolate the value into a template string, which throws
 * for a JSON object such as `{"toString": 1}`.
 */
function validationErrors(error: ValidationError): FieldError[] {
  const validator = error.validator as { Errors?: (value: unknown) => ErrorIterable };
  if (typeof validator.Errors !== "function") return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of validator.Errors(error.value)) {
    const path = typeof issue.path === "string" ? issue.path : "";
    // A schema's own `error` text reads better than TypeBox's, which quotes regular expressions.
    const custom = (issue.schema as { error?: unknown } | undefined)?.error;
    const message =
      typeof custom === "string"
        ? custom
        : typeof issue.message === "string"
          ? issue.message
          : "Invalid value";
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ path, message });
    if (errors.length === MAX_FIELD_ERRORS) break;
  }
  return errors;
}

function toProblem(
  code: string | number,
  error: unknown,
  logger: Logger,
  request: Request,
  requestId: string | undefined,
): ProblemError {
  if (error instanceof ProblemError) return error;
  // Elysia wraps whatever a body parser throws, ours included, in a ParseError.
  if (code === "PARSE" && error instanceof Error && error.cause instanceof ProblemError) {
    return error.cause;
  }
  switch (code) {
    case "VALIDATION": {
      const validation = error as ValidationError;
      if (validation.type === "response") {
        logger.error("response failed its schema", {
          requestId,
          method: request.method,
          path: new URL(request.url).pathname,
          error,
        });
        return new ProblemError("internal_error", "The server produced an invalid response");
      }
      // A malformed header (Idempotency-Key) makes a malformed request, whatever its body.
      if (validation.type === "headers") {
        return new ProblemError(
          "bad_request",
          "A request header is malformed",
          validationErrors(validation),
        );
      }
      return new ProblemError(
        "validation_failed",
        `The request ${validation.type === "params" ? "path" : validation.type} is invalid`,
        validationErrors(validation),
      );
    }
    case "PARSE":
      return new ProblemError("bad_request", "The request body is not valid JSON");
    case "NOT_FOUND":
      return new ProblemError(
        "not_found",
        `No route matches ${request.method} ${new URL(request.url).pathname}`,
      );
    case "INVALID_COOKIE_SIGNATURE":
    case "INVALID_FILE_TYPE":
      return new ProblemError("bad_request");
  }
  const failure = classifyDatabaseError(error, (name) => uniqueConstraintColumns.get(name));
  if (failure !== undefined) {
    if (failure.kind === "unavailable") {
      logger.warn("database unavailable", { requestId, error });
    }
    return problemForDatabase(failure);
  }
  logger.error("unhandled error", {
    requestId,
    method: request.method,
    path: new URL(request.url).pathname,
    error,
    ...(isMissingPreparedStatement(error) ? { hint: PREPARE_HINT } : {}),
  });
  return new ProblemError("internal_error", "An unexpected error occurred; it has been logged");
}

/**
 * The problem when building the right one failed: the status Elysia gave the error when it is a
 * client's (4xx), else a 500. Nothing of the failed error is read beyond its code.
 */
function fallbackProblem(code: string | number): ProblemError {
  switch (code) {
    case "VALIDATION":
      return new ProblemError("validation_failed", "The request is invalid");
    case "PARSE":
      return new ProblemError("bad_request", "The request body is not valid JSON");
    case "NOT_FOUND":
      return new ProblemError("not_found", "No route matches this request");
    default:
      return new ProblemError("internal_error", "An unexpected error occurred");
  }
}

/** The one place where every error becomes an RFC 9457 problem response. */
export function errorHandler(logger: Logger) {
  return new Elysia({ name: "error-handler" })
    .error({ ProblemError })
    .onError({ as: "global" }, ({ code, error, request, set }) => {
      const requestId = requestIdOf(set);
      let problem: ProblemError;
      try {
        problem = toProblem(code, error, logger, request, requestId);
      } catch (failure) {
        problem = fallbackProblem(code);
        reportFailure(logger, "building an error response failed", { requestId, code, failure });
      }
      set.status = problem.status;
      set.headers["content-type"] = PROBLEM_CONTENT_TYPE;
      if (problem.code === "service_unavailable") set.headers["retry-after"] = "1";
      if (problem.code === "unauthorized") set.headers["www-authenticate"] = "Bearer";
      for (const [name, value] of Object.entries(problem.headers)) set.headers[name] = value;
      return problemBody(problem.code, problem.detail, problem.errors, requestId);
    });
}
