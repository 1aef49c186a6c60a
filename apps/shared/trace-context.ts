// W3C trace context across the gateway hop. The incoming `traceparent` (if valid) becomes the
// parent: the records carry the same trace id with a span id of their own, so a trace runs from
// the producer's request through Kafka to the delivery. Without one, a new trace starts here.

import { randomBytes } from "node:crypto";
import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, trace, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

const propagator = new W3CTraceContextPropagator();

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/** The span context the incoming headers carry, or undefined when absent or malformed. */
export function extractSpanContext(headers: Record<string, string | string[] | undefined>): SpanContext | undefined {
  const context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const span = trace.getSpanContext(context);
  return span && trace.isSpanContextValid(span) ? span : undefined;
}

/** The trace headers for the records made while serving a request with these headers. */
export function childTraceHeaders(headers: Record<string, string | string[] | undefined>): TraceHeaders {
  const parent = extractSpanContext(headers);
  const child: SpanContext = {
    traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    traceFlags: parent?.traceFlags ?? TraceFlags.SAMPLED,
    isRemote: false,
    ...(parent?.traceState ? { traceState: parent.traceState } : {}),
  };
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, child), carrier, defaultTextMapSetter);
  return { traceparent: carrier.traceparent!, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}
