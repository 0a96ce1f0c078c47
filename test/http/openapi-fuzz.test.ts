import { beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { describeEachDialect } from "../helpers/databases";
import { fingerprint } from "../helpers/fingerprint";
import { buildApp, type TestApp } from "../helpers/http";
import {
  checkResponse,
  type DocumentedResponse,
  type Operation,
  readOperations,
} from "../helpers/openapi-fuzz/document";
import {
  type Category,
  expectsNotModified,
  type RequestSpec,
  requestsOf,
  shapesOf,
  unconditionalRequestsOf,
} from "../helpers/openapi-fuzz/requests";
import { curlOf, World } from "../helpers/openapi-fuzz/world";

// Requests per dialect; CI sends the default on both, 20,000 in all.
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
// Of them, the share sent to a server with REQUIRE_IF_MATCH=true without If-Match.
const UNCONDITIONAL_SHARE = 0.05;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const operations = readOperations();

/**
 * Answers a valid request may get besides a 2xx, because of what the data holds rather than what
 * the request is: a wrong password, too many of them, a slug or email taken by an earlier request.
 */
const DATA_DEPENDENT: Record<string, number[]> = {
  "POST /tenants/{tenantId}/credentials/verify": [401, 429],
};

/** A method no operation has on a path: the router's 404 (or 405) problem. */
const unrouted: Map<number, DocumentedResponse> = (() => {
  const notFound = operations.find((operation) => operation.responses.has(404))?.responses.get(404);
  if (notFound === undefined) throw new Error("no operation documents a 404 problem");
  return new Map([
    [404, notFound],
    [405, notFound],
  ]);
})();

/**
 * The header that makes a create safe to retry (docs/api.md#idempotent-retries): a valid request
 * that carries it and succeeds is sent again and must get the same answer, marked as replayed;
 * a key sent again with another request gets 422.
 */
const IDEMPOTENCY_KEY = "idempotency-key";

/** Every string a request sent that the server took: a later 409 on one of them is the data's doing. */
function stringsOf(text: string | undefined): string[] {
  try {
    const value = JSON.parse(text?.replace(/^\ufeff/, "") ?? "null") as unknown;
    if (typeof value !== "object" || value === null) return [];
    return Object.values(value)
      .filter((item): item is string => typeof item === "string")
      .map((item) => item.trim().toLowerCase());
  } catch {
    return [];
  }
}

describeEachDialect("requests generated from openapi.json", (database) => {
  let app: TestApp;
  /** The same database behind a server that requires If-Match (REQUIRE_IF_MATCH=true). */
  let strict: TestApp;
  let world: World;
  const taken = new Set<string>();
  const usedKeys = new Set<string>();
  let replays = 0;
  const counts: Record<Category, number> = { valid: 0, tolerated: 0, invalid: 0 };
  const shapes = new Set<string>();
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    app = buildApp(database().db);
    strict = buildApp(database().db, { requireIfMatch: true });
    world = new World(app, "fuzz");
    await world.setUp();
  });

  /**
   * What is wrong with the answer to a request, or undefined. `requiredStatus`: the one status
   * the request must get (a server that requires If-Match answers 428 to a change without it).
   */
  async function judge(
    spec: RequestSpec,
    server = app,
    requiredStatus?: number,
  ): Promise<string | undefined> {
    const operation = operations[spec.operation] as Operation;
    const built = await world.build(spec, operation);
    const send = () =>
      server.handle(
        new Request(built.url, { method: built.method, headers: built.headers, body: built.body }),
      );
    const response = await send();
    const text = await response.text();
    const { status } = response;
    const report = (what: string) =>
      `${spec.category} request (${spec.mutation}) to ${operation.name}: ${what}\n  ${curlOf(built)}`;
    counts[spec.category]++;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    shapes.add(`${operation.name} ${spec.mutation}`);
    const documented = built.method === operation.method ? operation.responses : unrouted;
    const wrong = checkResponse(documented, status, response.headers.get("content-type"), text);
    if (wrong !== undefined) return report(wrong);
    if (status >= 500) return report(`answered ${status}`);
    if (requiredStatus !== undefined && status !== requiredStatus) {
      return report(`answered ${status}, not ${requiredStatus}: ${text.slice(0, 300)}`);
    }
    switch (spec.category) {
      case "invalid":
        return status >= 400 ? undefined : report(`accepted with ${status}`);
      case "tolerated":
        break;
      case "valid": {
        // If-None-Match naming the current tag: 304, and nothing else.
        if (expectsNotModified(spec) !== (status === 304)) {
          return report(`If-None-Match ${built.headers["If-None-Match"]} got ${status}`);
        }
        if (status === 304) break;
        const sent = stringsOf(spec.body?.text);
        const key = built.headers[IDEMPOTENCY_KEY];
        const allowed =
          (status === 409 && sent.some((value) => taken.has(value))) ||
          (status === 422 && key !== undefined && usedKeys.has(key)) ||
          (DATA_DEPENDENT[operation.name] ?? []).includes(status);
        if (status >= 300 && !allowed)
          return report(`a valid request got ${status}: ${text.slice(0, 300)}`);
        if (status < 300 && key !== undefined) {
          replays++;
          const again = await send();
          const againText = await again.text();
          if (again.status !== status || againText !== text)
            return report(
              `its retry got ${again.status} ${againText.slice(0, 300)}, not the same answer`,
            );
          if (again.headers.get("idempotent-replayed") !== "true")
            return report("its retry is not marked Idempotent-Replayed");
        }
      }
    }
    if (status < 300) for (const value of stringsOf(spec.body?.text)) taken.add(value);
    const key = built.headers[IDEMPOTENCY_KEY];
    if (status < 300 && key !== undefined) usedKeys.add(key);
    return undefined;
  }

  async function run(
    label: string,
    requests: fc.Arbitrary<RequestSpec>,
    runs: number,
    server = app,
    requiredStatus?: number,
  ) {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(requests, async (spec) => {
        const failure = await judge(spec, server, requiredStatus);
        if (failure !== undefined) throw new Error(failure);
      }),
      { numRuns: runs, seed: SEED },
    );
    console.log(
      `${label}: ${runs} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  test(`${REQUESTS} requests: valid ones get a documented 2xx, every answer matches the document, rejected ones change nothing`, async () => {
    console.log(`openapi fuzz seed: ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const perOperation = operations.map((_, index) => requestsOf(operations, index));
    const accepted = fc.oneof(
      ...perOperation.flatMap(({ valid, tolerated }) => [
        { arbitrary: valid, weight: 3 },
        ...(tolerated === undefined ? [] : [{ arbitrary: tolerated, weight: 1 }]),
      ]),
    );
    const invalid = fc.oneof(
      ...perOperation.flatMap(({ invalid }) => (invalid === undefined ? [] : [invalid])),
    );
    const unconditional = fc.oneof(
      ...operations.flatMap((_, index) => unconditionalRequestsOf(operations, index) ?? []),
    );
    const acceptedRuns = Math.round(REQUESTS * 0.3);
    const unconditionalRuns = Math.round(REQUESTS * UNCONDITIONAL_SHARE);
    await run("valid and tolerated", accepted, acceptedRuns);

    const { db } = database();
    const before = await fingerprint(db);
    await run("invalid", invalid, REQUESTS - acceptedRuns - unconditionalRuns);
    await run("without If-Match, If-Match required", unconditional, unconditionalRuns, strict, 428);
    expect(await fingerprint(db)).toBe(before);

    const total = counts.valid + counts.tolerated + counts.invalid;
    const possible = operations.reduce(
      (sum, operation) => sum + shapesOf(operations, operation),
      0,
    );
    console.log(
      `${total} requests over ${operations.length} operations: ${counts.valid} valid, ` +
        `${counts.tolerated} tolerated, ${counts.invalid} invalid; ` +
        `${shapes.size} distinct shapes sent of ${possible + operations.length} generated kinds`,
    );
    const conditional = [304, 412, 428].map((status) => `${status}: ${statuses.get(status) ?? 0}`);
    console.log(`conditional answers: ${conditional.join(", ")}`);
    expect(total).toBeGreaterThanOrEqual(REQUESTS);
    // Every conditional status some operation documents was answered.
    for (const status of [304, 412, 428]) {
      if (operations.some((operation) => operation.responses.has(status))) {
        expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
      }
    }
    for (const category of ["valid", "tolerated", "invalid"] as const) {
      expect(counts[category]).toBeGreaterThan(0);
    }
    console.log(`${replays} valid creates sent again with their Idempotency-Key got their answer`);
    expect(replays).toBeGreaterThan(0);
  }, 900_000);
});
