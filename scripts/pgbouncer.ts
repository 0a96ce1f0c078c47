/**
 * A throwaway pgbouncer (the Debian package) in front of TEST_DATABASE_URL's server, for the tests
 * and the bench: its own temp folder and free port, pool_mode=transaction unless asked otherwise,
 * no authentication of its own (auth_type=any logs in as the target URL's user). pgbouncer refuses
 * to run as root, so as root it runs as the `postgres` OS user.
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort, TEST_DATABASE_URL } from "./harness";

const PGBOUNCER = "/usr/sbin/pgbouncer";
const RUN_AS = "postgres";

export type PoolMode = "session" | "transaction" | "statement";

export interface Pgbouncer {
  port: number;
  /** The URL of `database` through the pooler, as the app would be given it. */
  url(database: string): string;
  /** pgbouncer's log so far, for a test's failure message. */
  log(): string;
  stop(): Promise<void>;
}

/** Why pgbouncer cannot run here, or null when it can. */
export function pgbouncerProblem(): string | null {
  if (!existsSync(PGBOUNCER)) {
    return `${PGBOUNCER} is missing: apt-get install -y --no-install-recommends pgbouncer`;
  }
  return null;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  return uid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}

export async function startPgbouncer(
  options: { poolMode?: PoolMode; poolSize?: number; target?: string } = {},
): Promise<Pgbouncer> {
  const problem = pgbouncerProblem();
  if (problem !== null) throw new Error(problem);
  const target = new URL(options.target ?? TEST_DATABASE_URL);
  const dir = mkdtempSync(join(tmpdir(), "tenant-api-pgbouncer-"));
  const port = freePort();
  const logFile = join(dir, "pgbouncer.log");
  const targetUser = decodeURIComponent(target.username) || "postgres";
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    `[databases]
* = host=${target.hostname} port=${target.port || 5432} user=${targetUser}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = ${options.poolMode ?? "transaction"}
default_pool_size = ${options.poolSize ?? 10}
max_client_conn = 1000
logfile = ${logFile}
pidfile = ${join(dir, "pgbouncer.pid")}
ignore_startup_parameters = extra_float_digits
`,
  );
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? userIds(RUN_AS) : undefined;
  if (asRoot && owner === undefined) throw new Error(`no ${RUN_AS} OS user to run pgbouncer as`);
  if (owner !== undefined) {
    for (const path of [dir, join(dir, "pgbouncer.ini")]) chownSync(path, owner.uid, owner.gid);
  }
  // Daemonized (-d): not a child of the test process, whose runner ends the children a test
  // leaves running; it is stopped through its pid file.
  const command = [PGBOUNCER, "-d", "-q", join(dir, "pgbouncer.ini")];
  const started = Bun.spawnSync(
    owner === undefined ? command : ["runuser", "-u", RUN_AS, "--", ...command],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const log = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const url = (database: string) => {
    const through = new URL(target);
    through.hostname = "127.0.0.1";
    through.port = String(port);
    through.pathname = `/${database}`;
    return through.toString();
  };
  const pidFile = join(dir, "pgbouncer.pid");
  const stop = async () => {
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
    // SIGTERM is pgbouncer's immediate stop; it removes its pid file on the way out.
    if (pid > 0) process.kill(pid, "SIGTERM");
    for (let waited = 0; pid > 0 && existsSync(pidFile) && waited < 5_000; waited += 20) {
      await Bun.sleep(20);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (started.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pgbouncer did not start (exit ${started.exitCode}): ${started.stderr}`);
  }
  try {
    await waitUntilAnswering(url(target.pathname.slice(1) || "postgres"), log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url, log, stop };
}

async function waitUntilAnswering(url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await probe`select 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`pgbouncer does not answer: ${error}\n${log()}`);
    } finally {
      await probe.end({ timeout: 1 });
    }
    await Bun.sleep(50);
  }
}
