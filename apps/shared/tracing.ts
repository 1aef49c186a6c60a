// Span export (OTLP/HTTP, JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing at all when not.
//
// Manual spans only: no auto-instrumentation and no context manager, which would cost CPU on
// every request and every async hop. Each span is parented explicitly on the W3C context its
// input carries (HTTP or Kafka headers, apps/shared/trace-context.ts), and the services take
// the tracer as an optional dependency: without one they skip every span call, so the local
// platform and the bench (which do not set the variable) pay nothing.

import { SpanStatusCode, trace, type Attributes, type Span, type SpanKind, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { ServiceName } from "../../model/access";
import { incomingContext, type HeaderCarrier } from "./trace-context";

export interface Tracing {
  readonly provider: TracerProvider;
  readonly tracer: Tracer;
  /** Exports the spans still queued, then stops the exporter: the last shutdown step. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP base URL; spans are POSTed to <endpoint>/v1/traces. */
  endpoint: string;
  serviceName: string;
  /** How long ended spans wait to be batched (the SDK's default is 5 s). */
  scheduledDelayMillis?: number;
}

/** The URL the exporter posts to: the signal path appended to the base endpoint, as the OTLP spec says. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/** A tracer provider of its own (not registered globally): main.ts goes through startTracing. */
export function createTracing(options: TracingOptions): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }),
        ...(options.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: options.scheduledDelayMillis } : {}),
      }),
    ],
  });
  return { provider, tracer: provider.getTracer("webhooks-platform"), shutdown: () => provider.shutdown() };
}

export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/** For main.ts: with an endpoint, the service's provider, also installed as the global one; without, undefined and nothing installed. */
export function startTracing(service: ServiceName, env: TracingEnv): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const tracing = createTracing({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME ?? `webhooks-${service}` });
  trace.setGlobalTracerProvider(tracing.provider);
  return tracing;
}

/** Starts a span whose parent is the W3C context the headers carry (a new trace when they carry none). */
export function startSpanFrom(tracer: Tracer, name: string, kind: SpanKind, headers: HeaderCarrier, attributes?: Attributes): Span {
  return tracer.startSpan(name, { kind, ...(attributes ? { attributes } : {}) }, incomingContext(headers));
}

/** Ends a span, with error status when `error` is given (an Error is also recorded as an exception event). */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}
