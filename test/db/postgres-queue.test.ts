import { describe, expect, test } from "bun:test";
import { join } from "node:path";

/**
 * postgres.js keeps its connections (and waiting queries) in these queues. As published (3.4.9),
 * a queue that is never empty never resets its array, and `remove` searches every entry ever
 * shifted out: with a busy pool of pipelined connections under steady load, each query cost more
 * than the last (41,000 reads/s falling to 12,000 within 25 s, bench/README.md).
 * patches/postgres+3.4.9.patch fixes both (applied by `npm install`'s postinstall). The first
 * test fails without it (28 s); the second holds the patched queue to the queue's contract.
 */
interface Queue<T> {
  readonly length: number;
  push(item: T): T;
  shift(): T | undefined;
  remove(item: T): T | null;
}
type QueueFactory = <T>(initial?: T[]) => Queue<T>;

// Each build of postgres.js carries its own copy: Bun and ESM load src/, Node's require cjs/.
const builds = {
  "src (Bun, ESM)": "node_modules/postgres/src/queue.js",
  "cjs (Node's require)": "node_modules/postgres/cjs/src/queue.js",
};
const root = join(import.meta.dir, "../..");

describe.each(Object.entries(builds))("postgres.js queue, %s", (_, file) => {
  const load = async () => ((await import(join(root, file))) as { default: QueueFactory }).default;

  test("stays cheap when it never empties: a connection moved per query, 300,000 times", async () => {
    const Queue = await load();
    // What postgres.js does per query with two busy connections: take one off the front, remove
    // it from the queue it was in (its move()), put it back at the end.
    const busy = Queue(["first connection", "second connection"]);
    const started = performance.now();
    for (let query = 0; query < 300_000; query++) {
      const connection = busy.shift() as string;
      busy.remove(connection);
      busy.push(connection);
    }
    expect(busy.length).toBe(2);
    // Unpatched, the removes scan about 45 billion entries in all: minutes, not milliseconds.
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test("keeps its order and finds what it holds across a compaction", async () => {
    const Queue = await load();
    const queue = Queue<number>();
    for (let item = 0; item < 3_000; item++) queue.push(item);
    for (let item = 0; item < 2_000; item++) expect(queue.shift()).toBe(item);
    expect(queue.length).toBe(1_000);
    expect(queue.remove(2_500)).toBe(2_500);
    expect(queue.remove(2_500)).toBeNull();
    // Shifted out long ago: not found, in the array or after it was compacted.
    expect(queue.remove(10)).toBeNull();
    expect(queue.remove(1_999)).toBeNull();
    const rest: number[] = [];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) rest.push(next);
    expect(rest).toEqual(
      Array.from({ length: 1_000 }, (_, offset) => 2_000 + offset).filter((n) => n !== 2_500),
    );
    expect(queue.length).toBe(0);
  });
});
