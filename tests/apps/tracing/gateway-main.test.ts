// apps/gateway/main.ts as a process with OTEL_EXPORTER_OTLP_ENDPOINT: a bad URL stops it naming
// the variable; a good one makes it export its `ingest` spans under OTEL_SERVICE_NAME, and
// SIGTERM's last shutdown step sends the spans still queued (the batch delay is 5 s, the
// signal comes sooner).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import type { Admin } from "kafkajs";
import { ingressTopic } from "../../../model/topics";
import { tableName } from "../../../model/tables";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { ProducerRegistry } from "../../../apps/admin/producers";
import { dynamoEndpoint, kafka, kafkaBrokers } from "../../support/engines";
import { testTables, type TestTables } from "../shared/service-harness";
import { runServiceToExit, startService } from "../shared/spawn-service";
import { otlpKind, OtlpReceiver } from "./otlp-receiver";

describe("gateway main.ts with span export", () => {
  it("exits 1 naming OTEL_EXPORTER_OTLP_ENDPOINT when it is not an http(s) URL", async () => {
    const { code, stderr } = await runServiceToExit("gateway", { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", OTEL_EXPORTER_OTLP_ENDPOINT: "otel-collector:4318" });
    assert.equal(code, 1);
    assert.match(stderr, /OTEL_EXPORTER_OTLP_ENDPOINT: "otel-collector:4318" is not allowed .*an absolute http\(s\) URL/);
  });

  describe("with engines", () => {
    let tables: TestTables;
    let admin: Admin;
    let otlp: OtlpReceiver;

    before(async () => {
      tables = await testTables("gateway_tracing");
      admin = kafka("gateway-tracing-test").admin();
      await admin.connect();
      otlp = await OtlpReceiver.start();
    });
    after(async () => {
      await otlp?.close();
      await admin?.disconnect();
      await tables?.dispose();
    });

    it("exports the request's ingest span, child of the producer's traceparent, and flushes it on SIGTERM", async () => {
      const domain = tables.prefix.replace(/_$/, "");
      await new LocalSchemaRegistry(tables.doc, tables.prefix).register(domain, "started", { type: "object" });
      await ensureTopic(admin, ingressTopic({ domain, event: "started" }), "ingress", { partitions: 1, replicationFactor: 1 });
      const { apiKey } = await new ProducerRegistry(tables.doc, tableName("producerApiKey", tables.prefix)).create(domain);
      const traceId = randomBytes(16).toString("hex");
      const parentId = randomBytes(8).toString("hex");

      const proc = startService("gateway", {
        KAFKA_INGRESS_BROKERS: kafkaBrokers(),
        DYNAMODB_ENDPOINT: dynamoEndpoint(),
        TABLE_PREFIX: tables.prefix,
        PORT: "0",
        LISTEN_HOST: "127.0.0.1",
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_SERVICE_NAME: "gateway-under-test",
      });
      try {
        const line = await proc.waitForLine(/gateway listening/);
        const address = (JSON.parse(line) as { address: string }).address;
        const res = await fetch(`${address}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/cloudevents+json", traceparent: `00-${traceId}-${parentId}-01` },
          body: JSON.stringify({ specversion: "1.0", id: randomUUID(), source: "/tracing-main-test", type: `${domain}.started`, data: {} }),
        });
        assert.equal(res.status, 202, await res.clone().text());
        proc.child.kill("SIGTERM");
        assert.equal(await proc.exited, 0);
        assert.match(proc.stdout(), /shutdown: export the last spans done/);
        const ingest = otlp.spans.filter((s) => s.name === "ingest");
        assert.equal(ingest.length, 1, JSON.stringify(otlp.spans));
        assert.equal(ingest[0]!.service, "gateway-under-test");
        assert.equal(ingest[0]!.traceId, traceId);
        assert.equal(ingest[0]!.parentSpanId, parentId);
        assert.equal(ingest[0]!.kind, otlpKind.server);
      } finally {
        proc.child.kill("SIGKILL");
      }
    });
  });
});
