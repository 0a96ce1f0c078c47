import type { Logger } from "../lib/logger";
import { PROBLEM_CONTENT_TYPE, problemBody } from "./problem";

/** Logs a failure of the error path itself; a logger that throws too must not stop the answer. */
export function reportFailure(logger: Logger, message: string, fields: Record<string, unknown>) {
  try {
    logger.error(message, fields);
  } catch {
    // Nothing is left to report to: the client still gets its answer.
  }
}

/**
 * The server's answer when the app itself failed to answer (its error handler threw): a fixed 500
 * problem with a new request id, logged with the error. It reads nothing of the request, so it
 * cannot fail on it, and it takes the place of Bun's own error page, which in development shows
 * the stack and source lines.
 */
export function lastResort(logger: Logger): (error: unknown) => Response {
  return (error) => {
    const requestId = crypto.randomUUID();
    reportFailure(logger, "the app failed to answer a request", { requestId, error });
    const body = problemBody(
      "internal_error",
      "An unexpected error occurred; it has been logged",
      undefined,
      requestId,
    );
    return new Response(JSON.stringify(body), {
      status: body.status,
      headers: { "content-type": PROBLEM_CONTENT_TYPE, "x-request-id": requestId },
    });
  };
}
