/**
 * A PostgreSQL server of the benchmark's own, for the pinned mode: initdb in a temporary folder,
 * run by the postgres OS user (PostgreSQL refuses root) on a free port and bound to the given
 * CPUs, so that it shares a core with the server under test and nothing else. Its processes' CPU
 * time is what the benchmark reports per request.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "../scripts/harness";
import { treeCpuMs } from "./proc";

const PG_BIN = "/usr/lib/postgresql/15/bin";

function idOf(file: "/etc/passwd" | "/etc/group", name: string): number {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`no ${name} in ${file}`);
  return Number(line.split(":")[2]);
}

async function runAsPostgres(command: string[], cpus: string): Promise<void> {
  const child = Bun.spawn(
    [
      "taskset",
      "-c",
      cpus,
      "runuser",
      "-u",
      "postgres",
      "--",
      `${PG_BIN}/${command[0]}`,
      ...command.slice(1),
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${command[0]} exited ${code}: ${stderr.trim()}`);
}

export interface PrivatePostgres {
  /** A URL of the server's `postgres` database, for creating the benchmark's databases. */
  url: string;
  /** CPU time of the postmaster and every process it started (backends, writers), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(cpus: string): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), "bench-postgres-"));
  chownSync(root, idOf("/etc/passwd", "postgres"), idOf("/etc/group", "postgres"));
  const pgdata = join(root, "data");
  const port = freePort();
  await runAsPostgres(
    ["initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
    cpus,
  );
  // The server's settings stay PostgreSQL's defaults, like the shared server the unpinned run
  // uses, apart from where it listens.
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await runAsPostgres(
    ["pg_ctl", "-D", pgdata, "-o", options, "-w", "-l", join(root, "log"), "start"],
    cpus,
  );
  const postmaster = Number(readFileSync(join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    cpuMs: () => treeCpuMs(postmaster),
    stop: async () => {
      await runAsPostgres(["pg_ctl", "-D", pgdata, "-m", "immediate", "stop"], cpus).catch(
        () => {},
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The same CPU meter for a server this process did not start (the unpinned run's shared server),
 * when it runs on this machine and its data directory is readable; otherwise undefined. Everything
 * else that server does in the meantime counts too.
 */
export async function serverCpuMeter(url: string): Promise<(() => number) | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ setting: string }[]>`
      select setting from pg_settings where name = 'data_directory'`;
    if (row === undefined) return undefined;
    const pid = Number(readFileSync(join(row.setting, "postmaster.pid"), "utf8").split("\n")[0]);
    treeCpuMs(pid);
    return () => treeCpuMs(pid);
  } catch {
    return undefined;
  } finally {
    await sql.end();
  }
}
