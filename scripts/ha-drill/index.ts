/**
 * npm run ha:drill [-- --defaults]: a failover drill on a pg_auto_failover formation started on
 * this machine (run as root: the formation runs as the postgres OS user). Prints, for a planned
 * switchover and an unplanned failure, how long writes stopped and what clients saw; exits 1 when
 * a promise of docs/scaling.md does not hold.
 */
import { parseArgs } from "node:util";
import { runDrill } from "./drill";
import { formatReport } from "./report";
import { DEFAULT_TIMEOUTS, TUNED_TIMEOUTS } from "./timeouts";
import { violations } from "./verdict";

const { values } = parseArgs({ options: { defaults: { type: "boolean", default: false } } });
const timeouts = values.defaults ? DEFAULT_TIMEOUTS : TUNED_TIMEOUTS;
const started = Date.now();
const report = await runDrill(timeouts, (line) => console.log(`· ${line}`));
console.log(formatReport("planned switchover", report.switchover));
console.log(formatReport("unplanned failover (SIGKILL)", report.failover));
console.log(`drill took ${Math.round((Date.now() - started) / 1000)} s`);
const broken = violations(report, timeouts === TUNED_TIMEOUTS);
for (const line of broken) console.log(`FAILED: ${line}`);
process.exit(broken.length === 0 ? 0 : 1);
