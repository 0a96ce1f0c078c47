/**
 * `npm run bench -- --in-process` runs this: the app's request handling against the baseline's,
 * in one process with no network and no load generator, so that what is measured is the CPU each
 * spends per request (the part the app can change) on a machine that is not quiet. Per dialect
 * and scenario: fresh seeded databases, warm-up, then rounds that alternate the targets.
 *   bun bench/in-process.ts [--requests 20000] [--rounds 3] [--concurrency 16] [--dialect both]
 *                           [--scenario "POST tenant"] [--only app]
 * One scenario and one side make a profile of just that: `bun --cpu-prof bench/in-process.ts …`.
 */
import { parseArgs } from "node:util";
import { createApp } from "../src/app";
import { type Config, type Dialect, parseConfig } from "../src/config";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { createLogger } from "../src/lib/logger";
import { bunPasswords } from "../src/lib/password-bun";
import { createBaseline } from "./baseline";
import {
  ADMIN_TOKEN,
  SCENARIOS,
  type Scenario,
  type Seeded,
  scenarioRequest,
  seededDatabase,
  toRequest,
} from "./workload";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
    dialect: { type: "string", default: "both" },
    scenario: { type: "string" },
    only: { type: "string" },
  },
});
const scenarios = SCENARIOS.filter(
  (scenario) => values.scenario === undefined || scenario === values.scenario,
);
if (scenarios.length === 0)
  throw new Error(`no scenario ${values.scenario}: ${SCENARIOS.join(", ")}`);
const sides = (["app", "baseline"] as const).filter(
  (side) => values.only === undefined || side === values.only,
);
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const dialects: Dialect[] =
  values.dialect === "both" ? ["sqlite", "postgres"] : [values.dialect as Dialect];
// Writes are slower: fewer of them keep a run short.
const WRITE_SHARE = 0.2;

type Handler = (request: Request) => Promise<Response>;

async function target(dialect: Dialect, name: "app" | "baseline") {
  const { url, drop, db, seeded } = await seededDatabase(dialect, `inproc_${name}`, 1_000);
  let handle: Handler;
  let closeBaseline = async () => {};
  if (name === "app") {
    const config = parseConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      ADMIN_TOKEN,
      DATABASE_URL: url,
    }) as Config & { adminToken: string };
    const app = createApp({
      db,
      config,
      logger: createLogger("warn"),
      migrations: readMigrations(migrationsFolder(dialect)),
      passwords: bunPasswords,
    });
    handle = (request) => app.handle(request);
  } else {
    const baseline = createBaseline(url, ADMIN_TOKEN);
    handle = baseline.fetch;
    closeBaseline = baseline.close;
  }
  return {
    name,
    seeded,
    handle,
    close: async () => {
      await closeBaseline();
      await db.close();
      await drop();
    },
  };
}

/** Microseconds per request, `count` requests with `concurrency` in flight. */
async function measure(
  handle: Handler,
  next: () => Request,
  count: number,
): Promise<{ microseconds: number; failures: number }> {
  const batch = Array.from({ length: count }, next);
  let failures = 0;
  const started = Bun.nanoseconds();
  for (let i = 0; i < batch.length; i += concurrency) {
    await Promise.all(
      batch.slice(i, i + concurrency).map(async (request) => {
        const response = await handle(request);
        await response.arrayBuffer();
        if (response.status >= 300) failures++;
      }),
    );
  }
  return { microseconds: (Bun.nanoseconds() - started) / 1000 / count, failures };
}

const nextRequest = (seeded: Seeded, scenario: Scenario, tag: string) => () =>
  toRequest(scenarioRequest(scenario, seeded, tag));

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const rows = [
  "| dialect | scenario | app µs/request | baseline µs/request | ratio (baseline/app) | failures |",
  "|---|---|---|---|---|---|",
];
let totalFailures = 0;
for (const dialect of dialects) {
  const targets = [];
  for (const side of sides) targets.push(await target(dialect, side));
  try {
    for (const scenario of scenarios) {
      const count = Math.round(scenario.startsWith("GET") ? requests : requests * WRITE_SHARE);
      const times: Record<string, number[]> = { app: [], baseline: [] };
      let failures = 0;
      for (const { handle, seeded, name } of targets) {
        await measure(handle, nextRequest(seeded, scenario, `w${name}`), Math.min(2_000, count));
      }
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const { handle, seeded, name } of order) {
          const result = await measure(handle, nextRequest(seeded, scenario, name), count);
          times[name]?.push(result.microseconds);
          failures += result.failures;
        }
      }
      const app = median(times.app ?? []);
      const baseline = median(times.baseline ?? []);
      totalFailures += failures;
      rows.push(
        `| ${dialect} | ${scenario} | ${app.toFixed(1)} | ${baseline.toFixed(1)} | ${(baseline / app).toFixed(2)} | ${failures} |`,
      );
    }
  } finally {
    for (const { close } of targets) await close();
  }
}
console.log(
  `\nIn process, ${requests} reads / ${Math.round(requests * WRITE_SHARE)} writes per round, ${concurrency} in flight, ${rounds} rounds (medians), ${new Date().toISOString()}\n`,
);
console.log(rows.join("\n"));
process.exit(totalFailures === 0 ? 0 : 1);
