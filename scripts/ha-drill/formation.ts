/**
 * A pg_auto_failover formation on this machine: a monitor and two PostgreSQL nodes with
 * synchronous replication, run by pg_autoctl as the postgres OS user (PostgreSQL refuses root) in
 * a temporary folder on free ports.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import postgres from "postgres";
import { freePort } from "../harness";
import { type FailoverTimeouts, monitorSettings, nodeSettings } from "./timeouts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const DATABASE = "app";

export interface FormationNode {
  name: string;
  port: number;
  pgdata: string;
  keeper: Subprocess;
}

interface NodeState {
  nodename: string;
  nodeport: number;
  reportedstate: string;
  goalstate: string;
}

/** Runs a command as the postgres OS user, with pg_autoctl's files kept inside `root`. */
function asPostgres(root: string, command: string[]): string[] {
  return [
    "runuser",
    "-u",
    "postgres",
    "--",
    "env",
    "-i",
    `PATH=${PG_BIN}:/usr/bin:/bin`,
    `HOME=${root}`,
    `XDG_CONFIG_HOME=${root}/config`,
    `XDG_DATA_HOME=${root}/data`,
    `XDG_RUNTIME_DIR=${root}/run`,
    "PG_AUTOCTL_DEBUG=1",
    ...command,
  ];
}

/**
 * Starts a long-running pg_autoctl in a session of its own: its children rename themselves
 * ("pg_autoctl: node active"), so the whole process group is what stop() kills.
 */
function startService(root: string, command: string[]): Subprocess {
  return Bun.spawn(["setsid", ...asPostgres(root, command)], {
    stdout: "ignore",
    stderr: "ignore",
  });
}

function killGroup(service: Subprocess | undefined): void {
  if (service === undefined) return;
  try {
    process.kill(-service.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function run(root: string, command: string[]): Promise<string> {
  const child = Bun.spawn(asPostgres(root, command), { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`${command.join(" ")} exited ${code}: ${stderr.trim()}`);
  return stdout;
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(200);
  }
}

export class Formation {
  readonly nodes: FormationNode[] = [];
  private monitorProcess: Subprocess | undefined;
  private readonly monitorPort = freePort();
  /** One connection to the monitor for the formation's life: states are polled every 200 ms. */
  private readonly monitor = postgres(
    `postgres://postgres@127.0.0.1:${this.monitorPort}/pg_auto_failover`,
    { max: 1, onnotice: () => {}, connect_timeout: 2 },
  );
  private readonly log: (line: string) => void;

  private constructor(
    readonly root: string,
    log: (line: string) => void,
  ) {
    this.log = log;
  }

  /** Starts the monitor and two nodes, and waits until one is primary and one secondary. */
  static async start(
    timeouts: FailoverTimeouts,
    log: (line: string) => void = () => {},
  ): Promise<Formation> {
    const root = mkdtempSync(join(tmpdir(), "ha-drill-"));
    chownSync(root, uidOf("postgres"), gidOf("postgres"));
    const formation = new Formation(root, log);
    try {
      await formation.startMonitor(timeouts);
      for (const name of ["node_a", "node_b"]) await formation.startNode(name, timeouts);
      await formation.waitForStates(["primary", "secondary"], 120_000);
      return formation;
    } catch (error) {
      await formation.stop();
      throw error;
    }
  }

  get monitorUrl(): string {
    return `postgres://autoctl_node@127.0.0.1:${this.monitorPort}/pg_auto_failover?sslmode=disable`;
  }

  private async startMonitor(timeouts: FailoverTimeouts): Promise<void> {
    const pgdata = join(this.root, "monitor");
    this.log(`monitor on port ${this.monitorPort}`);
    await run(this.root, [
      "pg_autoctl",
      "create",
      "monitor",
      "--pgdata",
      pgdata,
      "--pgport",
      String(this.monitorPort),
      "--hostname",
      "127.0.0.1",
      "--auth",
      "trust",
      "--no-ssl",
    ]);
    this.monitorProcess = startService(this.root, ["pg_autoctl", "run", "--pgdata", pgdata]);
    const monitor = this.monitor;
    await waitFor("the monitor", 30_000, async () => (await monitor`select 1`).length);
    for (const [name, value] of monitorSettings(timeouts)) {
      await monitor.unsafe(`alter system set ${name} = '${value}'`);
    }
    await monitor`select pg_reload_conf()`;
  }

  private async startNode(name: string, timeouts: FailoverTimeouts): Promise<void> {
    const port = freePort();
    const pgdata = join(this.root, name);
    this.log(`${name} on port ${port}`);
    await run(this.root, [
      "pg_autoctl",
      "create",
      "postgres",
      "--pgdata",
      pgdata,
      "--pgport",
      String(port),
      "--hostname",
      "127.0.0.1",
      "--name",
      name,
      "--dbname",
      DATABASE,
      "--auth",
      "trust",
      "--no-ssl",
      "--monitor",
      this.monitorUrl,
    ]);
    // Set before the keeper runs: a running keeper reloads its settings on SIGHUP.
    for (const [setting, value] of nodeSettings(timeouts)) {
      await run(this.root, ["pg_autoctl", "config", "set", "--pgdata", pgdata, setting, value]);
    }
    const keeper = startService(this.root, ["pg_autoctl", "run", "--pgdata", pgdata]);
    this.nodes.push({ name, port, pgdata, keeper });
  }

  /** The monitor's view of every node. */
  async states(): Promise<NodeState[]> {
    return this.monitor<NodeState[]>`
      select nodename, nodeport, reportedstate::text, goalstate::text
      from pgautofailover.node order by nodeid`;
  }

  /** Waits until the nodes' reported and goal states are exactly these, in any order. */
  async waitForStates(wanted: string[], timeoutMs: number): Promise<NodeState[]> {
    const sorted = [...wanted].sort().join(",");
    return waitFor(`states ${sorted}`, timeoutMs, async () => {
      const states = await this.states();
      const settled = states.every((state) => state.reportedstate === state.goalstate);
      const reported = states
        .map((state) => state.reportedstate)
        .sort()
        .join(",");
      return settled && reported === sorted ? states : undefined;
    });
  }

  async primary(): Promise<FormationNode> {
    const states = await this.states();
    const primary = states.find((state) => state.reportedstate === "primary");
    const node = this.nodes.find((candidate) => candidate.name === primary?.nodename);
    if (node === undefined) throw new Error("the formation has no primary");
    return node;
  }

  /** The multi-host URI the formation's clients use, as `pg_autoctl show uri` prints it. */
  async uri(): Promise<string> {
    const output = await run(this.root, [
      "pg_autoctl",
      "show",
      "uri",
      "--pgdata",
      join(this.root, "monitor"),
      "--formation",
      "default",
    ]);
    return output.trim();
  }

  /** A planned switchover: the monitor promotes the secondary and demotes the primary. */
  async switchover(): Promise<void> {
    await run(this.root, [
      "pg_autoctl",
      "perform",
      "switchover",
      "--pgdata",
      join(this.root, "monitor"),
      "--wait",
      "0",
    ]);
  }

  /** An unplanned failure: SIGKILL to the primary's keeper processes and its postmaster. */
  async killPrimary(): Promise<FormationNode> {
    const node = await this.primary();
    const postmaster = Number(
      readFileSync(join(node.pgdata, "postmaster.pid"), "utf8").split("\n")[0],
    );
    // pg_autoctl runs a supervisor with a keeper and a postgres controller under it.
    killGroup(node.keeper);
    process.kill(postmaster, "SIGKILL");
    return node;
  }

  async stop(): Promise<void> {
    await this.monitor.end({ timeout: 1 });
    for (const node of this.nodes) killGroup(node.keeper);
    killGroup(this.monitorProcess);
    // Each postmaster's command line names its data folder, under root.
    Bun.spawnSync(["pkill", "-KILL", "-f", this.root]);
    await Bun.sleep(500);
    rmSync(this.root, { recursive: true, force: true });
  }
}

function idOf(flag: "-u" | "-g", user: string): number {
  const result = Bun.spawnSync(["id", flag, user]);
  return Number(result.stdout.toString().trim());
}
const uidOf = (user: string) => idOf("-u", user);
const gidOf = (user: string) => idOf("-g", user);
