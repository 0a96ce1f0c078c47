/**
 * Process and runtime metrics: prom-client's defaults (CPU, resident memory, heap, event-loop
 * delay, handles), and garbage collections. Bun reports no "gc" entries to perf_hooks, so
 * prom-client's nodejs_gc_duration_seconds stays empty there; a collection is seen instead
 * through a sentinel object whose finalizer runs when a collection reclaims it, and plants the
 * next one.
 */
import { Counter, collectDefaultMetrics, type Registry } from "prom-client";

// Held here: a FinalizationRegistry that is itself collected calls nothing more.
const sentinelRegistries = new Set<FinalizationRegistry<undefined>>();

export function collectRuntimeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const collections = new Counter({
    name: "tenant_api_gc_collections_total",
    help: "Garbage collections seen: a sentinel object's finalizer runs once per collection that reclaims young objects.",
    registers: [registry],
  });
  const sentinels = new FinalizationRegistry<undefined>(() => {
    collections.inc();
    plant();
  });
  const plant = () => sentinels.register({}, undefined);
  sentinelRegistries.add(sentinels);
  plant();
}
