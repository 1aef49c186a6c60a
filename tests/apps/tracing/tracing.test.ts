// apps/shared/tracing.ts: nothing is installed without OTEL_EXPORTER_OTLP_ENDPOINT; with it, the
// global provider exports spans to <endpoint>/v1/traces with the service's name, and its
// shutdown sends what is still queued. Each test file runs in a process of its own, so the
// global provider starts unset here.

import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { ProxyTracerProvider, trace } from "@opentelemetry/api";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { startTracing, tracesUrl } from "../../../apps/shared/tracing";
import { OtlpReceiver } from "./otlp-receiver";

function globalDelegate() {
  const provider = trace.getTracerProvider();
  assert.ok(provider instanceof ProxyTracerProvider);
  return provider.getDelegate();
}

describe("tracing set-up", () => {
  let receiver: OtlpReceiver | undefined;
  after(async () => receiver?.close());

  it("installs nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset: the API's tracer stays the no-op one", () => {
    assert.equal(startTracing("gateway", {}), undefined);
    assert.equal(startTracing("processor", { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_SERVICE_NAME: "named" }), undefined);
    assert.ok(!(globalDelegate() instanceof TracerProvider), "no SDK provider registered");
    const span = trace.getTracer("any").startSpan("any");
    assert.equal(span.isRecording(), false);
    assert.equal(trace.isSpanContextValid(span.spanContext()), false);
  });

  it("posts to <endpoint>/v1/traces, with or without a trailing slash", () => {
    assert.equal(tracesUrl("http://collector:4318"), "http://collector:4318/v1/traces");
    assert.equal(tracesUrl("http://collector:4318/"), "http://collector:4318/v1/traces");
  });

  it("with an endpoint, registers the provider globally and exports with service.name webhooks-<service>; shutdown flushes", async () => {
    receiver = await OtlpReceiver.start();
    const tracing = startTracing("dispatcher", { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    assert.ok(tracing);
    assert.ok(globalDelegate() instanceof TracerProvider);
    const span = trace.getTracer("test").startSpan("probe");
    assert.equal(span.isRecording(), true);
    span.end();
    // The batch processor's delay is 5 s: only the shutdown's flush can have sent it this soon.
    await tracing.shutdown();
    const probe = receiver.spans.find((s) => s.name === "probe");
    assert.ok(probe, `spans received: ${JSON.stringify(receiver.spans)}`);
    assert.equal(probe.service, "webhooks-dispatcher");
    assert.equal(probe.traceId, span.spanContext().traceId);
    assert.match(receiver.contentTypes[0]!, /application\/json/);
  });
});
