import { join } from "node:path";
import { REPO_ROOT } from "./project";

const ENTRY = join(REPO_ROOT, "src/index.ts");

/** `npm start` as a new user runs it, in a folder with no .env and only the given variables. */
export function start(cwd: string, env: Record<string, string>) {
  return Bun.spawn([process.execPath, ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

/**
 * Reads a child's output to the end in the background: a reader that stopped early would close
 * the pipe, and the child's next log line would fail with EPIPE.
 */
export function watch(stream: ReadableStream<Uint8Array>) {
  let text = "";
  let ended = false;
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk);
    ended = true;
  })();
  return {
    /** Everything read so far. */
    text: () => text,
    async waitFor(pattern: RegExp): Promise<string> {
      for (;;) {
        const match = text.match(pattern);
        if (match?.[1]) return match[1];
        if (ended) throw new Error(`the output ended without ${pattern}:\n${text}`);
        await Bun.sleep(20);
      }
    },
  };
}

export const LISTENING = /listening on (http:\/\/[^"\s]+)/;
