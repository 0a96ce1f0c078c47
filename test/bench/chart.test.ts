import { expect, test } from "bun:test";
import { type BenchResult, renderChart } from "../../bench/chart";

const line = (dialect: string, workers: number, scenario: string, appRps: number) => ({
  dialect,
  workers,
  scenario,
  appRps,
  baselineRps: 12_345,
  appP50: 1.23,
  appP99: 4.56,
  baselineP50: 0.98,
  baselineP99: 3.21,
});

test("the chart draws every scenario of every dialect, app beside baseline, with p50 and p99", async () => {
  const result: BenchResult = {
    date: "2026-12-04T09:00:00.000Z",
    connections: 32,
    duration: 10,
    rounds: 3,
    results: [
      line("sqlite", 1, "GET tenant", 23_456),
      line("postgres", 1, "POST tenant", 3_456),
      line("postgres", 2, "POST tenant", 4_567),
      { ...line("postgres", 1, "POST tenant", 2_345), through: "pgbouncer pool_mode=transaction" },
    ],
  };
  const svg = await renderChart(result);
  expect(svg.startsWith("<svg")).toBe(true);
  for (const text of [
    "GET tenant",
    "POST tenant",
    "sqlite",
    "postgres, WORKERS=2",
    "postgres through pgbouncer pool_mode=transaction",
  ])
    expect(svg).toContain(text);
  for (const label of [
    "23,456 req/s  p50 1.23 ms  p99 4.56 ms",
    "4,567 req/s  p50 1.23 ms  p99 4.56 ms",
    "12,345 req/s  p50 0.98 ms  p99 3.21 ms",
  ])
    expect(svg).toContain(label);
  expect(svg).toContain("2026-12-04 09:00 UTC, 32 connections, 10 s x 3 rounds");
});
