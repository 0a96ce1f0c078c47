import { Elysia, t } from "elysia";
import type { AppDatabase } from "../../db/client";
// bookkeeping, not the engine: the engine reads migration files from disk, which Workers cannot.
import { migrationState } from "../../db/migrations/bookkeeping";
import type { MigrationFile } from "../../db/migrations/files";
import { ProblemError, problemResponses } from "../../http/problem";

const READY_TIMEOUT_MS = 2_000;

const Ready = t.Object({
  status: t.Literal("ready"),
  database: t.Union([t.Literal("postgres"), t.Literal("sqlite")]),
  migration: t.Union([t.String(), t.Null()], { description: "Tag of the last applied migration" }),
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(db: AppDatabase, migrations: MigrationFile[], shutdown?: AbortSignal) {
  // Probes need no token: `security: []` says so in the OpenAPI document.
  return new Elysia({ detail: { tags: ["Operations"], security: [] } })
    .get("/health", () => ({ status: "ok" as const }), {
      response: { 200: t.Object({ status: t.Literal("ok") }) },
      detail: { summary: "Liveness: the process answers" },
    })
    .get(
      "/ready",
      async () => {
        if (shutdown?.aborted)
          throw new ProblemError("service_unavailable", "The server is shutting down");
        let state: Awaited<ReturnType<typeof migrationState>>;
        try {
          const check = async () => {
            await db.ping();
            return migrationState(db, migrations);
          };
          state = await withTimeout(check(), READY_TIMEOUT_MS);
        } catch {
          throw new ProblemError("service_unavailable", "The database does not answer");
        }
        if (state.pending.length > 0) {
          const tags = state.pending.map((migration) => migration.tag).join(", ");
          throw new ProblemError("service_unavailable", `Migrations are pending: ${tags}`);
        }
        return { status: "ready" as const, database: db.dialect, migration: state.current };
      },
      {
        response: { 200: Ready, ...problemResponses(503) },
        detail: {
          summary:
            "Readiness: the database answers (every pool of connections) and is fully migrated",
        },
      },
    );
}
