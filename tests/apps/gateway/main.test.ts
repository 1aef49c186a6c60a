// apps/gateway/main.ts as a process: configuration faults stop it with exit 1 and a named
// variable; with a good configuration it serves, and SIGTERM ends it cleanly with exit 0.
// With OTEL_EXPORTER_OTLP_ENDPOINT it exports its `ingest` spans under OTEL_SERVICE_NAME, and
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
import { otlpKind, OtlpReceiver } from "../tracing/otlp-receiver";

describe("gateway main.ts", () => {
  it("exits 1 naming KAFKA_INGRESS_BROKERS when it is missing", async () => {
    const { code, stderr } = await runServiceToExit("gateway", {});
    assert.equal(code, 1);
    assert.match(stderr, /KAFKA_INGRESS_BROKERS: is required: a comma-separated list of host:port/);
  });

  it("exits 1 naming each invalid variable and what is allowed", async () => {
    const { code, stderr } = await runServiceToExit("gateway", {
      KAFKA_INGRESS_BROKERS: "127.0.0.1:9092",
      IDEMPOTENCY_TTL_HOURS: "100",
      MAX_BODY_BYTES: "lots",
      KAFKA_AUTH: "plain",
      SCHEMA_REGISTRY: "confluent",
    });
    assert.equal(code, 1);
    assert.match(stderr, /IDEMPOTENCY_TTL_HOURS: "100" is not allowed \(above 72\); expected a whole number 24\.\.72/);
    assert.match(stderr, /MAX_BODY_BYTES: "lots" is not allowed/);
    assert.match(stderr, /KAFKA_AUTH: "plain" is not allowed .*none .*aws-iam/);
    assert.match(stderr, /SCHEMA_REGISTRY: "confluent" is not allowed .*local or glue/);
  });

  it("exits 1 naming GLUE_REGISTRY_NAME when SCHEMA_REGISTRY=glue without it", async () => {
    const { code, stderr } = await runServiceToExit("gateway", { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", SCHEMA_REGISTRY: "glue" });
    assert.equal(code, 1);
    assert.match(stderr, /GLUE_REGISTRY_NAME: is required/);
  });

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
      tables = await testTables("gateway_main");
      admin = kafka("gateway-main-test").admin();
      await admin.connect();
      otlp = await OtlpReceiver.start();
    });
    after(async () => {
      await otlp?.close();
      await admin?.disconnect();
      await tables?.dispose();
    });

    /** A producer key of a fresh domain, the gateway process started with `env`, and one event sent through it. */
    async function gatewayWithOneEvent(event: string, env: NodeJS.ProcessEnv, headers: Record<string, string> = {}) {
      const domain = tables.prefix.replace(/_$/, "");
      await new LocalSchemaRegistry(tables.doc, tables.prefix).register(domain, event, { type: "object" });
      await ensureTopic(admin, ingressTopic({ domain, event }), "ingress", { partitions: 1, replicationFactor: 1 });
      const { apiKey } = await new ProducerRegistry(tables.doc, tableName("producerApiKey", tables.prefix)).create(domain);
      const proc = startService("gateway", { KAFKA_INGRESS_BROKERS: kafkaBrokers(), DYNAMODB_ENDPOINT: dynamoEndpoint(), TABLE_PREFIX: tables.prefix, PORT: "0", LISTEN_HOST: "127.0.0.1", ...env });
      try {
        const line = await proc.waitForLine(/gateway listening/);
        const address = (JSON.parse(line) as { address: string }).address;
        const res = await fetch(`${address}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/cloudevents+json", ...headers },
          body: JSON.stringify({ specversion: "1.0", id: randomUUID(), source: "/main-test", type: `${domain}.${event}`, data: {} }),
        });
        return { proc, address, res };
      } catch (err) {
        proc.child.kill("SIGKILL");
        throw err;
      }
    }

    it("serves events and ends with exit 0 on SIGTERM", async () => {
      const { proc, address, res } = await gatewayWithOneEvent("started", {});
      try {
        assert.equal(res.status, 202, await res.clone().text());
        assert.equal((await fetch(`${address}/readyz`)).status, 200);
        proc.child.kill("SIGTERM");
        assert.equal(await proc.exited, 0);
        assert.match(proc.stdout(), /shutdown: flush and disconnect producer done/);
      } finally {
        proc.child.kill("SIGKILL");
      }
    });

    it("exports the request's ingest span, child of the producer's traceparent, and flushes it on SIGTERM", async () => {
      const traceId = randomBytes(16).toString("hex");
      const parentId = randomBytes(8).toString("hex");
      const { proc, res } = await gatewayWithOneEvent(
        "traced",
        { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_SERVICE_NAME: "gateway-under-test" },
        { traceparent: `00-${traceId}-${parentId}-01` },
      );
      try {
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
