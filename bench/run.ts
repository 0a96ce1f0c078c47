/**
 * `npm run bench`: the app against the raw baseline (bench/baseline.ts), side by side, per
 * dialect, alternating targets round by round so that drift of this shared machine hits both.
 *   bun bench/run.ts [--quick] [--connections 32] [--duration 10] [--rounds 3] [--dialect both]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { v7 as uuidv7 } from "uuid";
import { freePort, freshDatabase } from "../scripts/harness";
import type { Dialect } from "../src/config";
import { type Database, openDatabase } from "../src/db/client";
import { migrateUp } from "../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { bunPasswords } from "../src/lib/password-bun";
import { generateApiKey } from "../src/lib/tokens";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    connections: { type: "string", default: "32" },
    duration: { type: "string" },
    rounds: { type: "string" },
    dialect: { type: "string", default: "both" },
  },
});
const quick = values.quick === true;
const connections = Number(values.connections);
const duration = Number(values.duration ?? (quick ? 2 : 10));
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const dialects: Dialect[] =
  values.dialect === "both" ? ["sqlite", "postgres"] : [values.dialect as Dialect];
const TENANTS = 10;
const USERS_PER_TENANT = quick ? 100 : 1_000;
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef0123456789";
const ROOT = new URL("..", import.meta.url).pathname;
const TARGETS = {
  app: join(ROOT, "src/index.ts"),
  baseline: join(ROOT, "bench/baseline.ts"),
} as const;
type Target = keyof typeof TARGETS;

interface Seeded {
  tenants: { id: string; key: string; users: string[] }[];
}

/** 10 tenants x N users straight into the tables (one shared argon2 hash), one key per tenant. */
async function seed(db: Database): Promise<Seeded> {
  await migrateUp(db, readMigrations(migrationsFolder(db.dialect)));
  const passwordHash = await bunPasswords.hash("bench password");
  const { orm, tables } = db;
  const seeded: Seeded = { tenants: [] };
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = uuidv7();
    await orm
      .insert(tables.tenants)
      .values({ id: tenantId, name: `Tenant ${t}`, slug: `tenant-${t}` });
    const key = generateApiKey();
    await orm
      .insert(tables.apiKeys)
      .values({ tenantId, keyId: key.keyId, secretHash: key.secretHash, name: "bench" });
    const users = Array.from({ length: USERS_PER_TENANT }, (_, u) => ({
      id: uuidv7(),
      tenantId,
      email: `user${u}@tenant${t}.example`,
      name: `User ${u}`,
      passwordHash,
    }));
    for (let i = 0; i < users.length; i += 500)
      await orm.insert(tables.users).values(users.slice(i, i + 500));
    seeded.tenants.push({ id: tenantId, key: key.token, users: users.map((user) => user.id) });
  }
  return seeded;
}

async function startTarget(target: Target, url: string) {
  const port = freePort();
  const child = Bun.spawn([process.execPath, TARGETS[target]], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      MIGRATE_ON_START: "false",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (attempt > 100) throw new Error(`${target} did not start`);
    await Bun.sleep(100);
  }
  return { child, base };
}

/** Peak resident memory of a process, from Linux's VmHWM. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

type Scenario = "GET user" | "GET users page" | "GET tenant" | "POST tenant" | "PATCH user";
const SCENARIOS: Scenario[] = [
  "GET user",
  "GET users page",
  "GET tenant",
  "POST tenant",
  "PATCH user",
];
let sequence = 0;

function requestFor(scenario: Scenario, seeded: Seeded, target: Target): autocannon.Request {
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)] as T;
  return {
    setupRequest: (request) => {
      const tenant = pick(seeded.tenants);
      const auth = { authorization: `Bearer ${tenant.key}`, "content-type": "application/json" };
      switch (scenario) {
        case "GET user":
          return {
            ...request,
            method: "GET",
            path: `/tenants/${tenant.id}/users/${pick(tenant.users)}`,
            headers: auth,
          };
        case "GET users page":
          return {
            ...request,
            method: "GET",
            path: `/tenants/${tenant.id}/users?limit=20`,
            headers: auth,
          };
        case "GET tenant":
          return { ...request, method: "GET", path: `/tenants/${tenant.id}`, headers: auth };
        case "POST tenant":
          return {
            ...request,
            method: "POST",
            path: "/tenants",
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ name: "Bench", slug: `b-${target}-${++sequence}` }),
          };
        case "PATCH user":
          return {
            ...request,
            method: "PATCH",
            path: `/tenants/${tenant.id}/users/${pick(tenant.users)}`,
            headers: auth,
            body: JSON.stringify({ name: `Renamed ${++sequence}` }),
          };
      }
    },
  };
}

interface Measure {
  dialect: Dialect;
  scenario: Scenario;
  target: Target;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function benchDialect(
  dialect: Dialect,
): Promise<{ measures: Measure[]; rss: Record<Target, number> }> {
  const running = {} as Record<
    Target,
    { child: ReturnType<typeof Bun.spawn>; base: string; seeded: Seeded; drop: () => Promise<void> }
  >;
  for (const target of Object.keys(TARGETS) as Target[]) {
    const database = await freshDatabase(dialect, `bench_${target}`);
    const db = openDatabase(
      dialect === "postgres"
        ? { dialect, url: database.url }
        : { dialect, path: database.url.slice(5) },
    );
    const seeded = await seed(db);
    await db.close();
    running[target] = { ...(await startTarget(target, database.url)), seeded, drop: database.drop };
  }
  const measures: Measure[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const scenario of SCENARIOS) {
        // Alternate which target goes first, so that neither always runs on a warmer machine.
        const order: Target[] = round % 2 === 0 ? ["app", "baseline"] : ["baseline", "app"];
        for (const target of order) {
          const { base, seeded } = running[target];
          const result = await autocannon({
            url: base,
            connections,
            duration,
            requests: [requestFor(scenario, seeded, target)],
          });
          measures.push({
            dialect,
            scenario,
            target,
            requestsPerSecond: result.requests.average,
            p50: result.latency.p50,
            p99: result.latency.p99,
            non2xx: result.non2xx,
            errors: result.errors + result.timeouts,
          });
        }
      }
    }
    const rss = {
      app: peakRssMb(running.app.child.pid),
      baseline: peakRssMb(running.baseline.child.pid),
    };
    return { measures, rss };
  } finally {
    for (const { child, drop } of Object.values(running)) {
      child.kill("SIGTERM");
      await child.exited;
      await drop();
    }
  }
}

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const rows: string[] = [];
const summary: Record<string, unknown>[] = [];
rows.push(
  "| dialect | scenario | app req/s | baseline req/s | ratio | app p50/p99 ms | baseline p50/p99 ms | non-2xx app/base | peak RSS MB app/base |",
);
rows.push("|---|---|---|---|---|---|---|---|---|");
for (const dialect of dialects) {
  const { measures, rss } = await benchDialect(dialect);
  for (const scenario of SCENARIOS) {
    const of = (target: Target) =>
      measures.filter((m) => m.scenario === scenario && m.target === target);
    const [app, base] = [of("app"), of("baseline")];
    const appRps = median(app.map((m) => m.requestsPerSecond));
    const baseRps = median(base.map((m) => m.requestsPerSecond));
    const line = {
      dialect,
      scenario,
      appRps: Math.round(appRps),
      baselineRps: Math.round(baseRps),
      ratio: Number((appRps / baseRps).toFixed(2)),
      appP50: median(app.map((m) => m.p50)),
      appP99: median(app.map((m) => m.p99)),
      baselineP50: median(base.map((m) => m.p50)),
      baselineP99: median(base.map((m) => m.p99)),
      appNon2xx: app.reduce((sum, m) => sum + m.non2xx + m.errors, 0),
      baselineNon2xx: base.reduce((sum, m) => sum + m.non2xx + m.errors, 0),
      appPeakRssMb: Math.round(rss.app),
      baselinePeakRssMb: Math.round(rss.baseline),
    };
    summary.push(line);
    rows.push(
      `| ${dialect} | ${scenario} | ${line.appRps} | ${line.baselineRps} | ${line.ratio} | ${line.appP50}/${line.appP99} | ${line.baselineP50}/${line.baselineP99} | ${line.appNon2xx}/${line.baselineNon2xx} | ${line.appPeakRssMb}/${line.baselinePeakRssMb} |`,
    );
  }
}
console.log(
  `\n${connections} connections, ${duration} s per run, ${rounds} rounds (medians), ${new Date().toISOString()}\n`,
);
console.log(rows.join("\n"));
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
const file = join(
  ROOT,
  "bench/results",
  `${new Date().toISOString().slice(0, 10)}${quick ? "-quick" : ""}.json`,
);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), connections, duration, rounds, results: summary }, null, 2)}\n`,
);
console.log(`\nwritten to ${file}`);
const failures = summary.filter(
  (line) => (line.appNon2xx as number) > 0 || (line.baselineNon2xx as number) > 0,
);
process.exit(failures.length === 0 ? 0 : 1);
