/**
 * A PostgreSQL primary and a streaming standby on this machine, for the read-replica tests and
 * benchmark: initdb, then pg_basebackup of the primary, run as the postgres OS user (PostgreSQL
 * refuses root) in a temporary folder on free ports. The standby can replay with a delay
 * (recovery_min_apply_delay), be stopped and started again.
 */
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "./harness";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const DATABASE = "app";

// Settings for a throwaway cluster: nothing here has to survive a crash of the machine.
const SETTINGS = [
  "listen_addresses=127.0.0.1",
  "fsync=off",
  "full_page_writes=off",
  "shared_buffers=64MB",
  "max_connections=100",
  "hot_standby_feedback=on",
];

export interface StandbyCluster {
  primaryUrl: string;
  standbyUrl: string;
  /** The servers' data folders: postmaster.pid there names each server's process. */
  primaryData: string;
  standbyData: string;
  /** `fast` closes its connections as a planned stop does; `immediate` drops them as a crash. */
  stopStandby(mode?: "fast" | "immediate"): Promise<void>;
  startStandby(): Promise<void>;
  /** Stops both servers and removes their files. */
  stop(): Promise<void>;
}

const idOf = (flag: "-u" | "-g") =>
  Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString());

async function asPostgres(command: string[]): Promise<string> {
  const child = Bun.spawn(
    ["runuser", "-u", "postgres", "--", "env", "-i", `PATH=${PG_BIN}:/usr/bin:/bin`, ...command],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`${command.join(" ")} exited ${code}: ${stderr.trim()}`);
  return stdout;
}

// pg_ctl hands these to a shell: no setting has a space.
const serverOptions = (root: string, port: number, extra: string[]) =>
  [...SETTINGS, `port=${port}`, `unix_socket_directories=${root}`, ...extra]
    .map((setting) => `-c ${setting}`)
    .join(" ");

/** Starts a primary and its standby; `applyDelayMs` delays the standby's replay of each commit. */
export async function startStandbyCluster(applyDelayMs = 0): Promise<StandbyCluster> {
  const root = mkdtempSync(join(tmpdir(), "standby-cluster-"));
  chownSync(root, idOf("-u"), idOf("-g"));
  const primaryData = join(root, "primary");
  const standbyData = join(root, "standby");
  const primaryPort = freePort();
  const standbyPort = freePort();
  const pgCtl = (data: string, action: string, options = "", mode = "fast") =>
    asPostgres([
      "pg_ctl",
      "-D",
      data,
      "-l",
      `${data}.log`,
      "-w",
      "-t",
      "30",
      ...(options === "" ? [] : ["-o", options]),
      ...(action === "stop" ? ["-m", mode] : []),
      action,
    ]);
  const startStandbyServer = () =>
    pgCtl(
      standbyData,
      "start",
      serverOptions(root, standbyPort, [`recovery_min_apply_delay=${applyDelayMs}ms`]),
    );
  let standbyRunning = false;

  try {
    await asPostgres(["initdb", "-D", primaryData, "-U", "postgres", "--auth=trust", "-N"]);
    await pgCtl(primaryData, "start", serverOptions(root, primaryPort, []));
    const admin = postgres(`postgres://postgres@127.0.0.1:${primaryPort}/postgres`, {
      max: 1,
      onnotice: () => {},
    });
    await admin.unsafe(`create database ${DATABASE}`);
    await admin.end();
    await asPostgres([
      ...["pg_basebackup", "-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres"],
      ...["-D", standbyData, "-R", "-X", "stream", "-c", "fast"],
    ]);
    await startStandbyServer();
    standbyRunning = true;
  } catch (error) {
    await asPostgres(["pg_ctl", "-D", primaryData, "-m", "immediate", "stop"]).catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/${DATABASE}`,
    standbyUrl: `postgres://postgres@127.0.0.1:${standbyPort}/${DATABASE}`,
    primaryData,
    standbyData,
    async stopStandby(mode = "fast") {
      if (!standbyRunning) return;
      await pgCtl(standbyData, "stop", "", mode);
      standbyRunning = false;
    },
    async startStandby() {
      if (standbyRunning) return;
      await startStandbyServer();
      standbyRunning = true;
    },
    async stop() {
      for (const data of [standbyData, primaryData]) {
        await asPostgres(["pg_ctl", "-D", data, "-m", "immediate", "stop"]).catch(() => {});
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
