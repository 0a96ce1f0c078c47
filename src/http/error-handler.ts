import { Elysia, type ValidationError } from "elysia";
import { uniqueConstraintColumns } from "../db/constraints";
import { classifyDatabaseError, type DatabaseFailure } from "../db/errors";
import { assertUnreachable } from "../lib/assert";
import type { Logger } from "../lib/logger";
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

function validationErrors(error: ValidationError): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.all) {
    const path = "path" in issue && typeof issue.path === "string" ? issue.path : "";
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
      const where = validation.type === "params" ? "path" : validation.type;
      return new ProblemError(
        "validation_failed",
        `The request ${where} is invalid`,
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
  });
  return new ProblemError("internal_error", "An unexpected error occurred; it has been logged");
}

/** The one place where every error becomes an RFC 9457 problem response. */
export function errorHandler(logger: Logger) {
  return new Elysia({ name: "error-handler" })
    .error({ ProblemError })
    .onError({ as: "global" }, ({ code, error, request, set }) => {
      const requestId = requestIdOf(set);
      const problem = toProblem(code, error, logger, request, requestId);
      set.status = problem.status;
      set.headers["content-type"] = PROBLEM_CONTENT_TYPE;
      if (problem.code === "service_unavailable") set.headers["retry-after"] = "1";
      if (problem.code === "unauthorized") set.headers["www-authenticate"] = "Bearer";
      for (const [name, value] of Object.entries(problem.headers)) set.headers[name] = value;
      return problemBody(problem.code, problem.detail, problem.errors, requestId);
    });
}
