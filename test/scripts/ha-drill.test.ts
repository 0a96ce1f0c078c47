import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { runDrill } from "../../scripts/ha-drill/drill";
import { formatReport } from "../../scripts/ha-drill/report";
import { TUNED_TIMEOUTS } from "../../scripts/ha-drill/timeouts";
import { SLOWEST_ALLOWED_MS, violations } from "../../scripts/ha-drill/verdict";
import { IN_CI } from "../helpers/ci";

// The formation runs as the postgres OS user, which only root can switch to.
const missing = !existsSync("/usr/bin/pg_autoctl")
  ? "pg_autoctl is not installed (Debian: postgresql-15-auto-failover, pg-auto-failover-cli)"
  : process.getuid?.() !== 0
    ? "the drill runs its formation as the postgres user and needs root to switch to it"
    : null;
if (missing !== null && !IN_CI) console.warn(`\n!!! SKIPPING the failover drill: ${missing} !!!\n`);

test.skipIf(missing !== null && !IN_CI)(
  "failover drill: a switchover and a SIGKILLed primary cost 503s with Retry-After, never a 500, a hung request or an acknowledged write",
  async () => {
    if (missing !== null) throw new Error(missing);
    const report = await runDrill(TUNED_TIMEOUTS, () => {});
    console.log(formatReport("planned switchover", report.switchover));
    console.log(formatReport("unplanned failover (SIGKILL)", report.failover));
    expect(report.uri).toContain("target_session_attrs=read-write");
    for (const event of [report.switchover, report.failover]) {
      expect(event.acknowledgedWrites).toBeGreaterThan(100);
      // Writes did stop: the drill saw the failover it measures.
      expect(Object.keys(event.statusesInGap)).toContain("write 503 service-unavailable");
      expect(event.slowestMs).toBeLessThanOrEqual(SLOWEST_ALLOWED_MS);
    }
    // The 3 s target for a planned switchover holds on a quiet machine (npm run ha:drill, figures in
    // docs/scaling.md); CI shares two cores with every other test, so it allows 5 s here.
    expect(report.switchover.gapSeconds).toBeLessThanOrEqual(5);
    expect(
      violations(report, true).filter((line) => !line.startsWith("switchover: writes stopped")),
    ).toEqual([]);
  },
  240_000,
);
