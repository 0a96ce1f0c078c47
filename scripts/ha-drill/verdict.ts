import { ACQUIRE_TIMEOUT_MS, type DrillReport } from "./drill";
import type { EventReport } from "./report";

/** The longest a request may take: the acquire timeout, with a margin for a loaded machine. */
export const SLOWEST_ALLOWED_MS = ACQUIRE_TIMEOUT_MS + 1_000;
const MAX_GAP_SECONDS = { switchover: 3, failover: 10 };

function eventViolations(name: string, report: EventReport, maxGap: number | null): string[] {
  const broken: string[] = [];
  if (report.serverErrors > 0)
    broken.push(`${name}: ${report.serverErrors} answers of 5xx other than 503`);
  if (report.withoutRetryAfter > 0)
    broken.push(`${name}: ${report.withoutRetryAfter} answers of 503 without Retry-After`);
  if (report.unanswered > 0) broken.push(`${name}: ${report.unanswered} requests unanswered`);
  if (report.slowestMs > SLOWEST_ALLOWED_MS)
    broken.push(`${name}: a request took ${report.slowestMs} ms (at most ${SLOWEST_ALLOWED_MS})`);
  if (report.lostWrites > 0) broken.push(`${name}: ${report.lostWrites} acknowledged writes lost`);
  if (!report.recovered) broken.push(`${name}: the app did not recover by itself`);
  if (maxGap !== null && report.gapSeconds > maxGap)
    broken.push(
      `${name}: writes stopped for ${report.gapSeconds.toFixed(1)} s (at most ${maxGap})`,
    );
  return broken;
}

/** What must hold; the gaps only with the tuned timeouts. */
export function violations(report: DrillReport, tuned: boolean): string[] {
  return [
    ...eventViolations("switchover", report.switchover, tuned ? MAX_GAP_SECONDS.switchover : null),
    ...eventViolations("failover", report.failover, tuned ? MAX_GAP_SECONDS.failover : null),
  ];
}
