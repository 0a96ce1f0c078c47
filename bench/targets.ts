/**
 * The performance targets the benchmark checks (docs/performance.md): with the admin token, so no
 * key lookup, the app's reads reach 0.85 of the raw baseline's throughput with a p99 at most 1.3
 * times the baseline's; POST /tenants reaches 0.8 of a baseline that writes the tenant and its
 * first key in one statement. Meant for the pinned mode, where neither side shares its core with
 * the load generator.
 */
import { ADMIN_READS, type Scenario } from "./workload";

export interface ScenarioSummary {
  dialect: string;
  scenario: Scenario;
  ratio: number;
  appP99: number;
  baselineP99: number;
}

export interface TargetCheck {
  description: string;
  met: boolean;
}

const READ_RATIO = 0.85;
const READ_P99_FACTOR = 1.3;
const CREATE_RATIO = 0.8;

export function targetChecks(lines: readonly ScenarioSummary[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const line of lines) {
    const where = `${line.dialect}, ${line.scenario}`;
    if (ADMIN_READS.includes(line.scenario)) {
      checks.push({
        description: `${where}: ratio ${line.ratio} >= ${READ_RATIO}`,
        met: line.ratio >= READ_RATIO,
      });
      const limit = Math.round(line.baselineP99 * READ_P99_FACTOR * 100) / 100;
      checks.push({
        description: `${where}: p99 ${line.appP99} ms <= ${READ_P99_FACTOR} x ${line.baselineP99} ms = ${limit} ms`,
        met: line.appP99 <= line.baselineP99 * READ_P99_FACTOR,
      });
    } else if (line.scenario === "POST tenant") {
      checks.push({
        description: `${where}: ratio ${line.ratio} >= ${CREATE_RATIO}`,
        met: line.ratio >= CREATE_RATIO,
      });
    }
  }
  return checks;
}
