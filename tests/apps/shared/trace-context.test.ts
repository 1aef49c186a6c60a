import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TraceFlags, createTraceState } from "@opentelemetry/api";
import { childTraceHeaders, extractSpanContext, traceHeadersOf } from "../../../apps/shared/trace-context";

const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe("W3C trace context across the gateway", () => {
  it("keeps the incoming trace id and flags, with a span id of its own, and carries tracestate", () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const out = childTraceHeaders({ traceparent: incoming, tracestate: "vendor=abc" });
    const m = traceparent.exec(out.traceparent);
    assert.ok(m, out.traceparent);
    assert.equal(m[1], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.notEqual(m[2], "00f067aa0ba902b7");
    assert.equal(m[3], "01");
    assert.equal(out.tracestate, "vendor=abc");
  });

  it("starts a new sampled trace when the request carries none", () => {
    const a = childTraceHeaders({});
    const b = childTraceHeaders({});
    assert.match(a.traceparent, traceparent);
    assert.notEqual(traceparent.exec(a.traceparent)![1], traceparent.exec(b.traceparent)![1]);
    assert.equal(traceparent.exec(a.traceparent)![3], "01");
  });

  it("starts a new trace when the incoming traceparent is malformed", () => {
    const out = childTraceHeaders({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" });
    assert.notEqual(traceparent.exec(out.traceparent)![1], "00000000000000000000000000000000");
  });

  it("writes a span's context as the headers that make it the parent (what a traced record carries)", () => {
    const span = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED, traceState: createTraceState("vendor=abc") };
    const headers = traceHeadersOf(span);
    assert.deepEqual(headers, { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=abc" });
    const back = extractSpanContext({ ...headers });
    assert.equal(back?.traceId, span.traceId);
    assert.equal(back?.spanId, span.spanId);
    assert.equal(back?.isRemote, true);
  });
});
