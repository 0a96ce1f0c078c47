/**
 * A real OTLP/HTTP receiver for the tests: it accepts what an OpenTelemetry exporter POSTs to
 * /v1/traces as JSON and keeps the spans, flattened with their resource's attributes.
 */
type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
type KeyValue = { key: string; value: AnyValue };

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: KeyValue[];
}
interface OtlpExport {
  resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

const plainValue = (value: AnyValue): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue));
const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plainValue(value)]));

export function startOtlpReceiver() {
  const received: ReceivedSpan[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/v1/traces") {
        return new Response("not found", { status: 404 });
      }
      if (!request.headers.get("content-type")?.startsWith("application/json")) {
        return new Response("this receiver takes OTLP/HTTP JSON", { status: 415 });
      }
      const body = (await request.json()) as OtlpExport;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        for (const { spans } of scopeSpans) {
          for (const span of spans) {
            received.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              resource: attributesOf(resource?.attributes),
            });
          }
        }
      }
      return Response.json({});
    },
  });
  return {
    /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
    url: `http://127.0.0.1:${server.port}`,
    spans: () => [...received],
    async waitFor(done: (spans: ReceivedSpan[]) => boolean, what: string, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `no spans for ${what} within ${timeoutMs} ms: got ${JSON.stringify(received.map((span) => span.name))}`,
          );
        }
        await Bun.sleep(20);
      }
      // A batch may still bring the rest of the trace: wait for one more exporter round.
      await Bun.sleep(150);
      return [...received];
    },
    stop: () => void server.stop(true),
  };
}

export type OtlpReceiver = ReturnType<typeof startOtlpReceiver>;
