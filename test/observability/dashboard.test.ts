import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LISTENING, start, watch } from "../helpers/server";

// The Grafana dashboard in docs/ may only query metrics the app exports: it is checked against
// a scrape of the real server.
const DASHBOARD = new URL("../../docs/grafana/tenant-api.json", import.meta.url);
const ADMIN_TOKEN = "dashboard-test-admin-token-0123456789abc";

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression reads: what is left once strings, label matchers, ranges, grouping clauses, functions and keywords are taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\w+/g, " ")
    // Numbers and durations (0.99, 5m), but not the digits inside a name (…_p99_seconds).
    .replace(/(?<![A-Za-z0-9_:])\d+(?:\.\d+)?[a-z]*/gi, " ");
  const names = [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)]
    .filter(([, , call]) => call === undefined)
    .map(([, name]) => name as string)
    .filter((name) => !PROMQL_WORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}

/** Every series name a scrape can hold: each `# TYPE`, with a histogram's _bucket, _sum and _count. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
}

const panelsOf = (panels: Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);

let cwd: string;
let server: ReturnType<typeof start>;
let exposition: string;
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "tenant-api-dashboard-"));
  server = start(cwd, {
    DATABASE_URL: `file:${join(cwd, "app.db")}`,
    ADMIN_TOKEN,
    METRICS_PORT: "0",
  });
  const stdout = watch(server.stdout);
  const url = await stdout.waitFor(LISTENING);
  const metricsUrl = await stdout.waitFor(/metrics on (http:\/\/[^"\s]+)/);
  await fetch(`${url}/tenants`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  exposition = await (await fetch(metricsUrl)).text();
});
afterAll(async () => {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(cwd, { recursive: true, force: true });
});

test("the PromQL reader finds metric names, and only them", () => {
  expect(
    metricNames(
      'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{job=~"$job",route!="x y"}[$__rate_interval]))) / on (route) group_left b_total offset 5m',
    ),
  ).toEqual(["a_seconds_bucket", "b_total"]);
});

test("every query of the Grafana dashboard reads metrics the app exports", () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Panel[] };
  const exported = exportedNames(exposition);
  expect(exported.has("tenant_api_http_requests_total")).toBe(true);
  const panels = panelsOf(dashboard.panels);
  const unknown: string[] = [];
  let queries = 0;
  for (const panel of panels) {
    for (const { expr } of panel.targets ?? []) {
      queries++;
      const names = metricNames(expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) if (!exported.has(name)) unknown.push(`${panel.title}: ${name}`);
    }
  }
  expect(unknown).toEqual([]);
  expect(queries).toBeGreaterThan(10);
  // What the dashboard promises to show.
  const titles = panels.map((panel) => panel.title);
  for (const title of [
    "Request rate by route",
    "p50 latency by route",
    "p99 latency by route",
    "Error ratio by route (5xx)",
    "PostgreSQL pool saturation",
    "Migrations pending",
  ]) {
    expect(titles).toContain(title);
  }
});
