// W3C trace context across the platform's hops. The incoming `traceparent` (if valid) becomes
// the parent, so a trace runs from the producer's request through Kafka to the delivery.
// With tracing on (apps/shared/tracing.ts) the records carry the context of the span that made
// them; with tracing off the gateway still gives its records the incoming trace id with a span
// id of its own (childTraceHeaders), and the processor and dispatcher carry it along.
// Without a valid incoming context, a new trace starts at the gateway.

import { randomBytes } from "node:crypto";
import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

const propagator = new W3CTraceContextPropagator();

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

export type HeaderCarrier = Record<string, string | string[] | undefined>;

/** The context the incoming headers carry (the remote parent of a span), ROOT_CONTEXT when absent or malformed. */
export function incomingContext(headers: HeaderCarrier): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The span context the incoming headers carry, or undefined when absent or malformed. */
export function extractSpanContext(headers: HeaderCarrier): SpanContext | undefined {
  const span = trace.getSpanContext(incomingContext(headers));
  return span && trace.isSpanContextValid(span) ? span : undefined;
}

/** The headers that make `span` the parent of whatever reads them. */
export function traceHeadersOf(span: SpanContext): TraceHeaders {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return { traceparent: carrier.traceparent!, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}

/** Without tracing: the trace headers for the records made while serving a request with these headers. */
export function childTraceHeaders(headers: HeaderCarrier): TraceHeaders {
  const parent = extractSpanContext(headers);
  return traceHeadersOf({
    traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    traceFlags: parent?.traceFlags ?? TraceFlags.SAMPLED,
    isRemote: false,
    ...(parent?.traceState ? { traceState: parent.traceState } : {}),
  });
}
