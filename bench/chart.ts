/**
 * The chart of a bench result: throughput per scenario, the app beside the raw baseline, with
 * p50 and p99, drawn with vega-lite and rendered to SVG in-process (no browser).
 *   bun bench/chart.ts bench/results/<date>.json   writes <date>.svg beside it
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** What bench/run.ts writes for each dialect, app and scenario. */
export interface ResultLine {
  dialect: string;
  workers: number;
  /** Set when the app ran through a pooler, e.g. "pgbouncer pool_mode=transaction". */
  through?: string;
  scenario: string;
  appRps: number;
  baselineRps: number;
  appP50: number;
  appP99: number;
  baselineP50: number;
  baselineP99: number;
}

export interface BenchResult {
  date: string;
  connections: number;
  duration: number;
  rounds: number;
  results: ResultLine[];
}

const panelOf = (line: ResultLine) => {
  if (line.through !== undefined) return `${line.dialect} through ${line.through}`;
  return line.workers > 1 ? `${line.dialect}, WORKERS=${line.workers}` : line.dialect;
};

function rowsOf(result: BenchResult) {
  return result.results.flatMap((line) =>
    (["app", "baseline"] as const).map((target) => {
      const [rps, p50, p99] =
        target === "app"
          ? [line.appRps, line.appP50, line.appP99]
          : [line.baselineRps, line.baselineP50, line.baselineP99];
      return {
        panel: panelOf(line),
        scenario: line.scenario,
        target,
        rps,
        label: `${rps.toLocaleString("en-US")} req/s  p50 ${p50} ms  p99 ${p99} ms`,
      };
    }),
  );
}

export function chartSpec(result: BenchResult): TopLevelSpec {
  const y = { field: "scenario", type: "nominal", title: null } as const;
  const yOffset = { field: "target", type: "nominal", sort: ["app", "baseline"] } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: "npm run bench: the app beside a raw baseline",
      subtitle: `${result.date.slice(0, 16).replace("T", " ")} UTC, ${result.connections} connections, ${result.duration} s x ${result.rounds} rounds; medians`,
    },
    data: { values: rowsOf(result) },
    facet: { row: { field: "panel", type: "nominal", title: null } },
    spec: {
      width: 420,
      layer: [
        {
          mark: "bar",
          encoding: {
            y,
            yOffset,
            x: { field: "rps", type: "quantitative", title: "requests per second" },
            color: {
              field: "target",
              type: "nominal",
              title: null,
              scale: { domain: ["app", "baseline"], range: ["#4c78a8", "#bab0ac"] },
            },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 4, fontSize: 9 },
          encoding: {
            y,
            yOffset,
            x: { field: "rps", type: "quantitative" },
            text: { field: "label" },
          },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
    config: { view: { stroke: null }, axis: { labelLimit: 160 }, legend: { orient: "top" } },
  };
}

export async function renderChart(result: BenchResult): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(result)).spec), { renderer: "none" });
  return view.toSVG();
}

if (import.meta.main) {
  const file = process.argv[2];
  if (file === undefined || !file.endsWith(".json")) {
    console.error("usage: bun bench/chart.ts bench/results/<date>.json");
    process.exit(1);
  }
  const svgFile = file.replace(/\.json$/, ".svg");
  writeFileSync(svgFile, await renderChart(JSON.parse(readFileSync(file, "utf8")) as BenchResult));
  console.log(`written to ${svgFile}`);
}
