/**
 * What the benchmarks read of a process from Linux's /proc (its children, its CPU time), and the
 * CPUs they pin processes to (`--pinned`).
 */
import { readFileSync } from "node:fs";

// Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms on every architecture it runs on.
const MS_PER_TICK = 10;

/** The fields of /proc/<pid>/stat after "pid (comm) ": field 3 of proc(5) is index 0. */
const statFields = (pid: number) =>
  readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];

/** The live children of a process; none once it has ended. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(" ")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** utime + stime of one process, in ms (fields 14 and 15). */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * MS_PER_TICK;
}

/**
 * utime + stime of a process and its live descendants, plus cutime + cstime: what its children
 * that have exited and been reaped used (a backend whose connection closed). A process that ends
 * between the listing and the read counts 0: its time is then in its parent's cutime.
 */
export function treeCpuMs(pid: number): number {
  let fields: string[];
  try {
    fields = statFields(pid);
  } catch {
    return 0;
  }
  const own = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  return own * MS_PER_TICK + childPids(pid).reduce((sum, child) => sum + treeCpuMs(child), 0);
}

/** The pinned benchmarks' CPUs: the server under test and its database, and the load generator. */
export const SERVER_CPU = "0";
export const LOAD_CPU = "1";

/** Moves this process, every thread of it, and what it spawns from now on to `cpu`. */
export function pinThisProcess(cpu: string): void {
  if (navigator.hardwareConcurrency < 2) throw new Error("--pinned needs two CPUs");
  const pin = Bun.spawnSync(["taskset", "-a", "-p", "-c", cpu, String(process.pid)]);
  if (pin.exitCode !== 0) throw new Error(`taskset: ${pin.stderr.toString().trim()}`);
}
