/**
 * A histogram, and the counter of its observations, for the paths every request takes. prom-client
 * hashes and validates the label object on every inc() and observe(), a few microseconds per
 * request, more than this budget allows (docs/performance.md#observability-cost); here a request
 * finds its series with one Map lookup by a key the caller builds, and adds to plain numbers.
 * prom-client's registry formats the series, and its AggregatorRegistry sums them across
 * workers, as it does its own metrics: both read `get()`.
 */
import type { Metric, Registry } from "prom-client";

export interface TimedSeries {
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative), the last one past every bound. */
  readonly perBucket: Float64Array;
  readonly labels: Readonly<Record<string, string>>;
}

/** What prom-client's registry reads from a metric's get(). */
interface Exported {
  name: string;
  help: string;
  type: "histogram" | "counter";
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
  aggregator: "sum";
}
type Values = Exported["values"];

export class TimedSeriesFamily {
  private readonly all = new Map<string, TimedSeries>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
    histogram: { name: string; help: string },
    /** A counter of the same observations, with the same labels. */
    counter?: { name: string; help: string },
  ) {
    const register = (metric: {
      name: string;
      help: string;
      type: string;
      get(): Promise<unknown>;
    }) =>
      registry.registerMetric({
        ...metric,
        aggregator: "sum",
        reset: () => this.all.clear(),
      } as unknown as Metric);
    register({ ...histogram, type: "histogram", get: async () => this.histogram(histogram) });
    if (counter !== undefined) {
      register({ ...counter, type: "counter", get: async () => this.counter(counter) });
    }
  }

  /** The series of `key`, created with `labels()` the first time: callers keep keys to a closed set. */
  series(key: string, labels: () => Record<string, string>): TimedSeries {
    let found = this.all.get(key);
    if (found === undefined) {
      found = {
        count: 0,
        sum: 0,
        perBucket: new Float64Array(this.bounds.length + 1),
        labels: labels(),
      };
      this.all.set(key, found);
    }
    return found;
  }

  observe(series: TimedSeries, seconds: number): void {
    series.count++;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket++;
    (series.perBucket[bucket] as number)++;
  }

  private histogram({ name, help }: { name: string; help: string }): Exported {
    const values: Values = [];
    for (const { labels, count, sum, perBucket } of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += perBucket[index] as number;
        values.push({
          metricName: `${name}_bucket`,
          labels: { le: bound, ...labels },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${name}_bucket`,
        labels: { le: "+Inf", ...labels },
        value: count,
      });
      values.push({ metricName: `${name}_sum`, labels: { ...labels }, value: sum });
      values.push({ metricName: `${name}_count`, labels: { ...labels }, value: count });
    }
    return { name, help, type: "histogram", values, aggregator: "sum" };
  }

  private counter({ name, help }: { name: string; help: string }): Exported {
    const values: Values = [];
    for (const { labels, count } of this.all.values())
      values.push({ labels: { ...labels }, value: count });
    return { name, help, type: "counter", values, aggregator: "sum" };
  }
}
