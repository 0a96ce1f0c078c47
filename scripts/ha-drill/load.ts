/** A bounded load of tenant creates and reads against the app, with every outcome recorded. */

/** A status of 0 is a request the client gave up on (CLIENT_TIMEOUT_MS); -1 a network error. */
export interface Outcome {
  kind: "write" | "read";
  status: number;
  startedAt: number;
  endedAt: number;
  /** A created tenant's id: the write was acknowledged with 201. */
  id?: string;
  problem?: string;
  /** A 503 without a Retry-After header. */
  noRetryAfter?: true;
}

export interface Load {
  readonly outcomes: Outcome[];
  stop(): Promise<void>;
}

/** Far above any bound the app promises, so that a hung request is seen as one. */
const CLIENT_TIMEOUT_MS = 15_000;
// Each worker sends one request at a time with this pause: about 100 requests per second each.
const PAUSE_MS = 10;

export interface LoadOptions {
  base: string;
  adminToken: string;
  writers: number;
  readers: number;
  /** A tenant every reader fetches. */
  readId: string;
}

async function send(options: LoadOptions, kind: Outcome["kind"], slug: string): Promise<Outcome> {
  const startedAt = performance.now();
  const init: RequestInit = {
    headers: { authorization: `Bearer ${options.adminToken}`, "content-type": "application/json" },
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  };
  const request =
    kind === "write"
      ? fetch(`${options.base}/tenants`, {
          ...init,
          method: "POST",
          body: JSON.stringify({ name: "Drill", slug }),
        })
      : fetch(`${options.base}/tenants/${options.readId}`, init);
  try {
    const response = await request;
    const body = (await response.json().catch(() => ({}))) as { id?: string; type?: string };
    const outcome: Outcome = {
      kind,
      status: response.status,
      startedAt,
      endedAt: performance.now(),
    };
    if (kind === "write" && response.status === 201 && body.id) outcome.id = body.id;
    // The problem type's last segment, e.g. service-unavailable.
    if (response.status >= 400 && body.type) outcome.problem = body.type.split("/").pop();
    if (response.status === 503 && !response.headers.has("retry-after"))
      outcome.noRetryAfter = true;
    return outcome;
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return { kind, status: timedOut ? 0 : -1, startedAt, endedAt: performance.now() };
  }
}

export function startLoad(options: LoadOptions): Load {
  const outcomes: Outcome[] = [];
  let running = true;
  let sequence = 0;
  const worker = async (kind: Outcome["kind"]) => {
    while (running) {
      const slug = `drill-${process.pid}-${++sequence}`;
      outcomes.push(await send(options, kind, slug));
      await Bun.sleep(PAUSE_MS);
    }
  };
  const workers = [
    ...Array.from({ length: options.writers }, () => worker("write")),
    ...Array.from({ length: options.readers }, () => worker("read")),
  ];
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}
