/**
 * WORKERS=N: one scrape sees every worker. The supervisor asks each listening worker for its
 * registry over IPC and sums them with prom-client's AggregatorRegistry (counters and histograms
 * add up; a gauge combines as it declares: in-flight requests and pool use add up, migration
 * counts take the largest). So series carry no worker label: the numbers are the server's.
 * A worker restarted after a crash starts its counters again, which Prometheus' rate() reads
 * as a counter reset.
 */
import {
  AggregatorRegistry,
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from "prom-client";
import type { Scrape } from "./metrics-endpoint";

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Supervisor -> worker. */
export type SupervisorMessage =
  | { type: "collect-metrics"; id: number }
  | { type: "scraped"; id: number; scrape: Scrape };

/** Worker -> supervisor, beside "listening" (src/supervisor.ts). */
export type WorkerMetricsMessage =
  | { type: "metrics"; id: number; metrics: MetricsJson }
  | { type: "scrape"; id: number };

const WORKER_ANSWER_MS = 2_000;

interface Pending {
  resolve(value: unknown): void;
}

/** The supervisor's side: asks the workers, and answers their own requests for a scrape. */
export function createMetricsCollector(
  workers: () => Iterable<{ send(message: SupervisorMessage): void }>,
) {
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function ask(worker: {
    send(message: SupervisorMessage): void;
  }): Promise<MetricsJson | undefined> {
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(undefined);
      }, WORKER_ANSWER_MS);
      pending.set(id, {
        resolve: (metrics) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(metrics as MetricsJson);
        },
      });
      try {
        worker.send({ type: "collect-metrics", id });
      } catch {
        // A worker that is exiting: its channel is closed, and the timer answers for it.
      }
    });
  }

  async function scrape(): Promise<Scrape> {
    const answers = await Promise.all([...workers()].map(ask));
    const reported = answers.filter((answer) => answer !== undefined);
    const registry: Registry = AggregatorRegistry.aggregate(reported);
    new Gauge({
      name: "tenant_api_workers_reporting",
      help: "Worker processes whose metrics this scrape holds (WORKERS=N: a worker that did not answer within 2 s is left out).",
      registers: [registry],
    }).set(reported.length);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  return {
    scrape,
    /** Routes a worker's message; false when it is not about metrics. */
    receive(
      message: WorkerMetricsMessage | { type: string },
      reply: (message: SupervisorMessage) => void,
    ): boolean {
      if (message.type === "metrics") {
        const { id, metrics } = message as Extract<WorkerMetricsMessage, { type: "metrics" }>;
        pending.get(id)?.resolve(metrics);
        return true;
      }
      if (message.type === "scrape") {
        const { id } = message as Extract<WorkerMetricsMessage, { type: "scrape" }>;
        void scrape().then((result) => reply({ type: "scraped", id, scrape: result }));
        return true;
      }
      return false;
    },
  };
}

/**
 * A worker's side: answers the supervisor's requests for its registry, and returns the scraper
 * of its METRICS_TOKEN route, which asks the supervisor for the whole server's metrics.
 */
export function answerSupervisor(registry: Registry): () => Promise<Scrape> {
  const send = (message: WorkerMetricsMessage) => process.send?.(message);
  let nextId = 1;
  const waiting = new Map<number, (scrape: Scrape) => void>();
  process.on("message", (message: SupervisorMessage) => {
    if (message.type === "collect-metrics") {
      void registry.getMetricsAsJSON().then((metrics) => {
        send({ type: "metrics", id: message.id, metrics: metrics as MetricsJson });
      });
    } else if (message.type === "scraped") {
      waiting.get(message.id)?.(message.scrape);
      waiting.delete(message.id);
    }
  });
  return () => {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      send({ type: "scrape", id });
    });
  };
}
