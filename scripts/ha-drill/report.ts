import type { Outcome } from "./load";

export interface EventReport {
  /** The longest time without a successful write, from the event to the end of its phase. */
  gapSeconds: number;
  /** What clients saw while writes were failing: "write 503 service_unavailable" → count. */
  statusesInGap: Record<string, number>;
  /** Answers of 500 or above other than 503, anywhere in the phase: must be none. */
  serverErrors: number;
  /** Answers of 503 without a Retry-After header: must be none. */
  withoutRetryAfter: number;
  /** Requests with no answer within the client's timeout, or a network error. */
  unanswered: number;
  /** The slowest request of the phase, in milliseconds. */
  slowestMs: number;
  /** Tenants created with 201 in this phase and missing afterwards. */
  lostWrites: number;
  acknowledgedWrites: number;
  /** Writes succeed again after the gap, and the app answers /ready, without a restart. */
  recovered: boolean;
}

const labelOf = (outcome: Outcome) =>
  [outcome.kind, outcome.status, outcome.problem].filter((part) => part !== undefined).join(" ");

export function analyse(
  outcomes: Outcome[],
  from: number,
  to: number,
  missing: Set<string>,
  ready: boolean,
): EventReport {
  const phase = outcomes.filter((outcome) => outcome.startedAt >= from && outcome.startedAt < to);
  const successes = phase
    .filter((outcome) => outcome.kind === "write" && outcome.status === 201)
    .map((outcome) => outcome.endedAt)
    .sort((a, b) => a - b);
  // The gap runs from the last success before it (or the event) to the next success.
  let gapStart = from;
  let gapEnd = successes[0] ?? to;
  let previous = from;
  for (const endedAt of successes) {
    if (endedAt - previous > gapEnd - gapStart) {
      gapStart = previous;
      gapEnd = endedAt;
    }
    previous = endedAt;
  }
  const statusesInGap: Record<string, number> = {};
  for (const outcome of phase) {
    if (outcome.endedAt < gapStart || outcome.endedAt > gapEnd) continue;
    const label = labelOf(outcome);
    statusesInGap[label] = (statusesInGap[label] ?? 0) + 1;
  }
  const acknowledged = phase.filter((outcome) => outcome.id !== undefined);
  return {
    gapSeconds: (gapEnd - gapStart) / 1000,
    statusesInGap,
    serverErrors: phase.filter((outcome) => outcome.status >= 500 && outcome.status !== 503).length,
    withoutRetryAfter: phase.filter((outcome) => outcome.noRetryAfter).length,
    unanswered: phase.filter((outcome) => outcome.status <= 0).length,
    slowestMs: Math.round(
      Math.max(0, ...phase.map((outcome) => outcome.endedAt - outcome.startedAt)),
    ),
    lostWrites: acknowledged.filter((outcome) => missing.has(outcome.id as string)).length,
    acknowledgedWrites: acknowledged.length,
    recovered: ready && (successes.at(-1) ?? 0) > gapEnd - 1,
  };
}

export function formatReport(name: string, report: EventReport): string {
  const statuses = Object.entries(report.statusesInGap)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, count]) => `${label}: ${count}`)
    .join(", ");
  return [
    `${name}`,
    `  seconds without a successful write  ${report.gapSeconds.toFixed(1)}`,
    `  statuses clients saw in the gap     ${statuses || "none"}`,
    `  5xx other than 503 in the phase     ${report.serverErrors}`,
    `  503s without Retry-After            ${report.withoutRetryAfter}`,
    `  requests unanswered                 ${report.unanswered}`,
    `  slowest request                     ${report.slowestMs} ms`,
    `  acknowledged writes missing         ${report.lostWrites} of ${report.acknowledgedWrites}`,
    `  recovered without a restart         ${report.recovered ? "yes" : "no"}`,
  ].join("\n");
}
