/** What the load scripts and the tests share: throwaway databases and free ports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Dialect } from "../src/config";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A new, empty database: a SQLite file in a temp folder, or a database on TEST_DATABASE_URL's server. */
export async function freshDatabase(
  dialect: Dialect,
  label: string,
  server = TEST_DATABASE_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `tenant-api-${label}-`));
    return {
      url: `file:${join(dir, `${label}.db`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `tenant_api_${label}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** A port free on 127.0.0.1 at the time of asking. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}
