import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { type Dialect, parseDatabaseUrl } from "../src/config";
import { openDatabase } from "../src/db/client";
import { freePort, freshDatabase } from "./harness";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "64" },
    dialect: { type: "string", default: "both" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const dialects: Dialect[] =
  values.dialect === "both" ? ["sqlite", "postgres"] : [values.dialect as Dialect];
const ADMIN_TOKEN = "soak-admin-token-0123456789abcdef0123456789";
const CREATE_CUTOFF_MS = 1_000;
const ENTRY = new URL("../src/index.ts", import.meta.url).pathname;

async function soak(dialect: Dialect): Promise<boolean> {
  const database = await freshDatabase(dialect, "soak");
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = Bun.spawn([process.execPath, ENTRY], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "warn",
    },
    stdout: "inherit",
    stderr: "inherit",
  });
  try {
    for (let attempt = 0; ; attempt++) {
      const up = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (attempt > 100) throw new Error("the server did not become ready");
      await Bun.sleep(100);
    }
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const seeded = (await (
      await fetch(`${base}/tenants`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "Soak", slug: "soak" }),
      })
    ).json()) as { id: string; apiKey: string };
    const key = { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" };
    await fetch(`${base}/tenants/${seeded.id}/users`, {
      method: "POST",
      headers: key,
      body: JSON.stringify({ email: "soak@example.com", name: "Soak", password: "long enough" }),
    });

    // autocannon drops what is in flight when the run ends, answered or not: creates stop
    // shortly before the end (they become reads), so that every create is answered and counted.
    const stopCreatingAt = Date.now() + duration * 1000 - CREATE_CUTOFF_MS;
    let created = 0;
    let counter = 0;
    const result = await autocannon({
      url: base,
      connections,
      duration,
      timeout: 10,
      requests: [
        { method: "GET", path: `/tenants/${seeded.id}`, headers: key },
        { method: "GET", path: `/tenants/${seeded.id}/users?limit=20`, headers: key },
        {
          method: "POST",
          path: "/tenants",
          headers: admin,
          setupRequest: (request) =>
            Date.now() >= stopCreatingAt
              ? { ...request, method: "GET", path: `/tenants/${seeded.id}`, body: undefined }
              : { ...request, body: JSON.stringify({ name: "Load", slug: `load-${++counter}` }) },
          onResponse: (status) => {
            if (status === 201) created++;
          },
        },
        { method: "GET", path: "/health" },
      ],
    });
    // Let the server finish what it had started before counting rows.
    server.kill("SIGTERM");
    await server.exited;
    const db = openDatabase(parseDatabaseUrl(database.url));
    const rows =
      db.dialect === "postgres"
        ? Number((await db.sql`select count(*)::int as n from tenants`)[0]?.n)
        : Number(db.sqlite.query<{ n: number }, []>("select count(*) as n from tenants").get()?.n);
    await db.close();
    const newRows = rows - 1;
    console.log(
      `${dialect.padEnd(8)} ${result.requests.total} requests in ${duration}s (${Math.round(result.requests.average)}/s), ` +
        `p99 ${result.latency.p99} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, ` +
        `creates sent ${counter}, 201s ${created}, rows created ${newRows}`,
    );
    return (
      result.errors === 0 &&
      result.timeouts === 0 &&
      result.non2xx === 0 &&
      created > 0 &&
      created === counter &&
      newRows === created
    );
  } finally {
    server.kill("SIGTERM");
    await server.exited;
    await database.drop();
  }
}

let ok = true;
for (const dialect of dialects) ok = (await soak(dialect)) && ok;
console.log(ok ? "soak passed" : "soak FAILED");
process.exit(ok ? 0 : 1);
