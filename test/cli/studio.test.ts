import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { getTableName } from "drizzle-orm";
import { freePort } from "../../scripts/harness";
import { postgresTables } from "../../src/db/schema";
import { describeEachDialect } from "../helpers/databases";
import { REPO_ROOT } from "../helpers/project";

const TABLES = Object.values(postgresTables).map(getTableName).sort();
// With mkcert installed, drizzle-kit serves Studio over HTTPS with a locally trusted certificate.
const SCHEME = Bun.which("mkcert") ? "https" : "http";

/** `npm run db:studio -- <args>` in a process group of its own, so that it can be stopped whole. */
function startStudio(args: string[], env: Record<string, string>) {
  const child = Bun.spawn(["npm", "run", "db:studio", "--", ...args], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      npm_config_update_notifier: "false",
      ...env,
    },
    detached: true,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const decoder = new TextDecoder();
  // Read to the end: a pipe nobody reads would block Studio's next log line.
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      for await (const chunk of stream) output += decoder.decode(chunk);
    })();
  }
  return { child, output: () => output };
}

/** Process ids whose process group is `group`, read from /proc. */
function processesInGroup(group: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command name, which is in parentheses: state, ppid, pgrp, ...
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === group;
      } catch {
        return false; // the process ended while we looked
      }
    })
    .map(Number);
}

/** Stops the whole group with SIGTERM; true when no process of it was left within 10 s. */
async function stopGroup(group: number): Promise<boolean> {
  try {
    process.kill(-group, "SIGTERM");
  } catch {
    return true; // the group is gone already
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (processesInGroup(group).length === 0) return true;
    await Bun.sleep(50);
  }
  process.kill(-group, "SIGKILL");
  return false;
}

/** The local addresses of every TCP socket listening on `port`, from /proc/net/tcp and tcp6. */
function listeningAddresses(port: number): { address: string; loopback: boolean }[] {
  const found: { address: string; loopback: boolean }[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").trim().split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hex, portHex] = local?.split(":") ?? [];
      if (state !== "0A" || hex === undefined || Number.parseInt(portHex ?? "", 16) !== port)
        continue;
      // Each 32-bit word is written in host (little-endian) byte order.
      const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) =>
        (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)),
      );
      const v4 = bytes.length === 4 ? bytes : undefined;
      const mapped =
        bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255
          ? bytes.slice(12)
          : undefined;
      const ipv4 = v4 ?? mapped;
      const isV6Loopback =
        bytes.length === 16 && bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
      found.push({
        address: ipv4 ? ipv4.join(".") : hex,
        loopback: ipv4 ? ipv4[0] === 127 : isV6Loopback,
      });
    }
  }
  return found;
}

async function postStudio(port: number, body: unknown): Promise<Response> {
  return fetch(`${SCHEME}://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    tls: { rejectUnauthorized: false },
  });
}

/** Studio's first request, repeated until the server answers; fails if Studio exits first. */
async function waitForInit(studio: ReturnType<typeof startStudio>, port: number) {
  const deadline = Date.now() + 45_000;
  let exited = false;
  void studio.child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Studio exited before it listened:\n${studio.output()}`);
    try {
      return await postStudio(port, { type: "init" });
    } catch {
      await Bun.sleep(200); // not listening yet
    }
  }
  throw new Error(`Studio did not listen on ${port} within 45 s:\n${studio.output()}`);
}

describe("db:studio", () => {
  test("refuses a non-loopback --host before it listens", async () => {
    for (const host of ["0.0.0.0", "--host=::"]) {
      const port = freePort();
      const args = host.startsWith("--") ? [host] : ["--host", host];
      const studio = startStudio([...args, "--port", String(port)], {
        DATABASE_URL: "file:/nonexistent/never.db",
      });
      expect(await studio.child.exited).toBe(1);
      expect(studio.output()).toContain("refusing to start Drizzle Studio");
      expect(listeningAddresses(port)).toEqual([]);
    }
  }, 60_000);
});

describeEachDialect("db:studio", (database, dialect) => {
  test("serves the configured database on 127.0.0.1 only, and stops with its process group", async () => {
    const { db, url } = database();
    // A row only this database holds: Studio must read it back.
    const marker = `studio-${Date.now().toString(36)}`;
    await db.orm.insert(db.tables.tenants).values({ name: "Studio probe", slug: marker });

    const port = freePort();
    const studio = startStudio(["--port", String(port)], { DATABASE_URL: url });
    let stopped = false;
    try {
      // The web UI's first request: POST / {"type":"init"}.
      const init = await waitForInit(studio, port);
      expect(init.status).toBe(200);
      const setup = (await init.json()) as {
        dialect: string;
        schemaFiles: { name: string }[];
        customDefaults: { table: string }[];
      };
      expect(setup.dialect).toBe(dialect === "postgres" ? "postgresql" : "sqlite");
      expect(setup.schemaFiles.map((file) => file.name)).toEqual(["schema.ts"]);
      expect([...new Set(setup.customDefaults.map((column) => column.table))].sort()).toEqual(
        TABLES,
      );

      // The UI then reads the database through POST / {"type":"proxy"}.
      const query = async (sql: string) => {
        const response = await postStudio(port, {
          type: "proxy",
          data: { sql, params: [], mode: "object", method: "all" },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as Record<string, string>[];
      };
      const tables = await query(
        dialect === "postgres"
          ? "select table_name as name from information_schema.tables where table_schema = 'public'"
          : "select name from sqlite_master where type = 'table'",
      );
      expect(tables.map((row) => row.name)).toEqual(expect.arrayContaining(TABLES));
      expect((await query("select slug from tenants")).map((row) => row.slug)).toEqual([marker]);

      const listeners = listeningAddresses(port);
      expect(listeners.length).toBeGreaterThan(0);
      expect(listeners.filter((listener) => !listener.loopback)).toEqual([]);
    } finally {
      stopped = await stopGroup(studio.child.pid);
    }
    expect(stopped).toBe(true);
    expect(processesInGroup(studio.child.pid)).toEqual([]);
    expect(listeningAddresses(port)).toEqual([]);
  }, 90_000);
});
