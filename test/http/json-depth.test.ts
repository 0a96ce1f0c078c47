import { beforeAll, expect, test } from "bun:test";
import { MAX_JSON_DEPTH } from "../../src/http/json-body";
import { describeEachDialect } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp } from "../helpers/http";

const ONE_MIB = 1024 * 1024;

/** One level of nesting: its opening and closing text. */
const LEVELS = {
  array: ["[", "]"],
  object: ['{"a":', "}"],
  "object, shortest key": ['{"":', "}"],
  "mixed arrays and objects": ['[{"k":', "}]"],
  "inside a valid body": ['{"name":"x","slug":[', "]}"],
} as const;

/** `depth` levels around a value; the mixed shape counts two levels per step. */
function nested(shape: keyof typeof LEVELS, depth: number): string {
  const [open, close] = LEVELS[shape];
  const steps = shape === "mixed arrays and objects" ? Math.ceil(depth / 2) : depth;
  return `${open.repeat(steps)}1${close.repeat(steps)}`;
}

describeEachDialect("JSON nesting", (database) => {
  let app: TestApp;
  const routes: [string, string][] = [];

  beforeAll(async () => {
    app = buildApp(database().db);
    const tenant = (await call(app, "POST", "/tenants", { body: { name: "Deep", slug: "deep" } }))
      .body;
    const user = (
      await call(app, "POST", `/tenants/${tenant.id}/users`, {
        body: { email: "deep@example.com", name: "Deep", password: "long enough" },
      })
    ).body;
    routes.push(
      ["POST", "/tenants"],
      ["PATCH", `/tenants/${tenant.id}`],
      ["POST", `/tenants/${tenant.id}/users`],
      ["PATCH", `/tenants/${tenant.id}/users/${user.id}`],
      ["POST", `/tenants/${tenant.id}/api-keys`],
      ["POST", `/tenants/${tenant.id}/credentials/verify`],
    );
  });

  test(`up to ${MAX_JSON_DEPTH} levels reach validation (422); one more is refused before it (400)`, async () => {
    for (const [method, path] of routes) {
      const atLimit = `{"name":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}`;
      expectProblem(await call(app, method, path, { raw: atLimit, headers: json }), 422);
      const over = `{"name":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
      const problem = expectProblem(
        await call(app, method, path, { raw: over, headers: json }),
        400,
      );
      expect(problem.detail).toContain(`${MAX_JSON_DEPTH} levels`);
      // Brackets inside strings are text, not nesting.
      const inString = JSON.stringify({ name: "[".repeat(1_000), slug: "{".repeat(1_000) });
      expect((await call(app, method, path, { raw: inString, headers: json })).status).not.toBe(
        400,
      );
    }
  });

  test("bodies of up to 1 MiB nested 100 to 500,000 levels deep: 400 problem, quickly, without memory growth", async () => {
    const bodies: { label: string; text: string }[] = [];
    for (const shape of Object.keys(LEVELS) as (keyof typeof LEVELS)[]) {
      for (const depth of [100, 1_000, 10_000, 100_000, 200_000, 500_000]) {
        const text = nested(shape, depth);
        if (text.length <= ONE_MIB) bodies.push({ label: `${shape} x ${depth}`, text });
      }
    }
    // Never closed: one byte a level, the deepest a 1 MiB body can open.
    bodies.push({ label: "unclosed [ x 1 MiB", text: "[".repeat(ONE_MIB) });
    bodies.push({ label: 'unclosed {"": x 1 MiB', text: '{"":'.repeat(ONE_MIB / 4) });
    expect(bodies.some(({ label }) => label.endsWith("500000"))).toBe(true);

    const send = async (method: string, path: string, text: string) => {
      const started = performance.now();
      const response = await call(app, method, path, { raw: text, headers: json });
      return { response, ms: performance.now() - started };
    };
    await send("POST", "/tenants", bodies[0]?.text ?? "");
    Bun.gc(true);
    const before = process.memoryUsage();
    let worst = { ms: 0, label: "" };
    for (const [method, path] of routes) {
      for (const { label, text } of bodies) {
        const { response, ms } = await send(method, path, text);
        expectProblem(response, 400);
        if (ms > worst.ms) worst = { ms, label: `${method} ${path.split("/")[1]}: ${label}` };
      }
    }
    // Request-log hooks run in a setImmediate after each response and hold its request until then.
    await Bun.sleep(20);
    Bun.gc(true);
    const after = process.memoryUsage();
    const megabytes = (bytes: number) => bytes / 1024 / 1024;
    const heapGrownMb = megabytes(after.heapUsed - before.heapUsed);
    const rssGrownMb = megabytes(after.rss - before.rss);
    console.log(
      `${routes.length * bodies.length} deep bodies: worst ${worst.ms.toFixed(1)} ms (${worst.label}); ` +
        `heap grew ${heapGrownMb.toFixed(1)} MB, rss ${rssGrownMb.toFixed(1)} MB`,
    );
    // Generous bounds for a loaded CI machine; before the limit such bodies took 3 to 20 s each.
    expect(worst.ms).toBeLessThan(500);
    // What stays allocated once collected; the RSS (printed) also moves with the rest of the suite.
    expect(heapGrownMb).toBeLessThan(20);
  }, 60_000);
});

const json = { "content-type": "application/json" };
