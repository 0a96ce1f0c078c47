/**
 * What happens to each query (src/db/observer.ts): its metrics, and a client span under the
 * request's span with `db.system` and the statement, whose placeholders stand for the values.
 */
import { SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { QueryWatch } from "../db/observer";
import type { AppMetrics, QueryOperation } from "./metrics";

const OPERATIONS = new Set<string>(["select", "insert", "update", "delete"]);

/** select, insert, update or delete; a WITH query by the first data-changing verb in it. */
export function queryOperation(statement: string): QueryOperation {
  const verb = statement.match(/^\s*\(?\s*([a-z]+)/i)?.[1]?.toLowerCase() ?? "";
  if (OPERATIONS.has(verb)) return verb as QueryOperation;
  if (verb === "with") {
    const changing = statement.match(/\b(insert|update|delete)\b/i)?.[1]?.toLowerCase();
    return (changing as QueryOperation | undefined) ?? "select";
  }
  return "other";
}

/** Each statement's operation, found once: the app runs the same few statements over and over. */
const operations = new Map<string, QueryOperation>();
const MAX_REMEMBERED = 2_000;

function operationOf(statement: string): QueryOperation {
  let operation = operations.get(statement);
  if (operation === undefined) {
    operation = queryOperation(statement);
    if (operations.size < MAX_REMEMBERED) operations.set(statement, operation);
  }
  return operation;
}

const isPoolTimeout = (error: unknown) =>
  (error as { code?: unknown } | undefined)?.code === "POOL_TIMEOUT";

export function watchQueries(
  dialect: "postgresql" | "sqlite",
  { metrics, tracer }: { metrics?: AppMetrics; tracer?: Tracer },
): QueryWatch | undefined {
  if (metrics === undefined && tracer === undefined) return undefined;
  return (statement) => {
    const operation = operationOf(statement);
    const started = performance.now();
    const span =
      tracer !== undefined && trace.getActiveSpan() !== undefined
        ? tracer.startSpan(`${operation} ${dialect}`, {
            kind: SpanKind.CLIENT,
            attributes: {
              "db.system": dialect,
              "db.system.name": dialect,
              "db.operation.name": operation,
              "db.statement": statement,
              "db.query.text": statement,
            },
          })
        : undefined;
    return (error) => {
      if (metrics !== undefined) {
        metrics.queryFinished(operation, (performance.now() - started) / 1000, error !== undefined);
        // Reads wait on the read pool, everything else on the write pool (src/db/pool-gate.ts).
        if (isPoolTimeout(error))
          metrics.acquireTimedOut(operation === "select" ? "read" : "write");
      }
      if (span === undefined) return;
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
  };
}
