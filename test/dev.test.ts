import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../scripts/harness";
import { copyProject } from "./helpers/project";
import { LISTENING, watch } from "./helpers/server";

const project = copyProject();
afterAll(() => project.remove());

const documentVersion = async (url: string) =>
  ((await (await fetch(`${url}/swagger/json`)).json()) as { info: { version: string } }).info
    .version;

test("npm run dev restarts the server when a source file changes", async () => {
  const port = freePort();
  // Its own process group: npm, the shell and bun stop together.
  const child = Bun.spawn(["npm", "run", "-s", "dev"], {
    cwd: project.root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      npm_config_update_notifier: "false",
      PORT: String(port),
      ADMIN_TOKEN: "dev-test-admin-token-0123456789abcdef0123",
    },
    detached: true,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = watch(child.stdout);
  watch(child.stderr);
  try {
    const url = await stdout.waitFor(LISTENING);
    // The app imports package.json for the document's version: a change to it must show.
    const packageFile = join(project.root, "package.json");
    const original = readFileSync(packageFile, "utf8");
    const before = (JSON.parse(original) as { version: string }).version;
    const after = `${before}-dev`;
    expect(await documentVersion(url)).toBe(before);
    writeFileSync(packageFile, original.replace(`"version": "${before}"`, `"version": "${after}"`));

    const deadline = Date.now() + 15_000;
    let version = before;
    while (version !== after && Date.now() < deadline) {
      await Bun.sleep(100);
      version = await documentVersion(url).catch(() => version);
    }
    expect(version).toBe(after);
    expect(stdout.text().match(new RegExp(LISTENING.source, "g"))?.length).toBeGreaterThanOrEqual(
      2,
    );
  } finally {
    process.kill(-child.pid, "SIGTERM");
    await child.exited;
  }
}, 30_000);
