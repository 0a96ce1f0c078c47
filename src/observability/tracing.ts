/**
 * OpenTelemetry traces, on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): spans are batched and sent as OTLP/HTTP (JSON); an
 * incoming W3C `traceparent` becomes the parent of the request's span. The exporter reads the
 * other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS, …_TIMEOUT), and the provider
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG.
 */
import {
  type Attributes,
  context,
  propagation,
  SpanKind,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { TracingConfig } from "../config";

export interface Tracing {
  tracer: Tracer;
  /** Sends the spans still batched: before a process exits, or a Worker's request ends. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers the provider, the W3C propagator and, when given one, the context manager that
 * carries the active span across awaits (AsyncLocalStorage): the OpenTelemetry API's globals,
 * which the app's spans and log lines read.
 */
export function startTracing(
  config: TracingConfig,
  version: string,
  contextManager?: Parameters<typeof context.setGlobalContextManager>[0],
): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      [ATTR_SERVICE_VERSION]: version,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesEndpoint }))],
  });
  if (contextManager !== undefined) context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer("tenant-api", version),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** A span for work inside a request: none outside one, where it would start a trace of its own. */
export function childSpan(tracer: Tracer, name: string, attributes: Attributes) {
  if (trace.getActiveSpan() === undefined) return undefined;
  return tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes });
}

/** The active span's ids, for the log lines written while it is active. */
export function traceFields(): Record<string, string> | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
