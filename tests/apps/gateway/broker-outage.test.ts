// The gateway with a broker of its own that the test stops and starts again: while Kafka is
// away no event is answered 202; when it returns the gateway recovers without a restart.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { ingressTopic } from "../../../model/topics";
import { tableName } from "../../../model/tables";
import type { IngressRecord } from "../../../model/records";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { ProducerRegistry } from "../../../apps/admin/producers";
import { createGatewayService, gatewayProducerConfig, type GatewayService } from "../../../apps/gateway/service";
import { startPrivateKafka, type PrivateKafka } from "../../support/engines";
import { TopicCollector, listen, testTables, type TestTables } from "../shared/service-harness";

const schema = { type: "object", required: ["n"], properties: { n: { type: "integer" } } };

describe("gateway when the broker goes away and comes back", () => {
  let broker: PrivateKafka;
  let tables: TestTables;
  let client: Kafka;
  let admin: Admin;
  let service: GatewayService;
  let base: string;
  let apiKey: string;
  let type: string;
  let topic: string;

  before(async () => {
    [broker, tables] = await Promise.all([startPrivateKafka(), testTables("outage")]);
    const domain = tables.prefix.replace(/_$/, "");
    type = `${domain}.ticked`;
    topic = ingressTopic({ domain, event: "ticked" });
    const registry = new LocalSchemaRegistry(tables.doc, tables.prefix);
    await registry.register(domain, "ticked", schema);
    client = new Kafka({ clientId: "outage-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 3000 });
    admin = client.admin();
    await admin.connect();
    await ensureTopic(admin, topic, "ingress", { partitions: 1, replicationFactor: 1 });
    service = createGatewayService({
      doc: tables.doc,
      tablePrefix: tables.prefix,
      createProducer: () => client.producer(gatewayProducerConfig),
      kafkaAdmin: admin,
      registry,
      logger: pino({ level: "silent" }),
      lingerMs: 5,
      maxBodyBytes: 65536,
      idempotencyTtlHours: 48,
      publishTimeoutMs: 4000,
    });
    base = await listen(service.app);
    apiKey = (await new ProducerRegistry(tables.doc, tableName("producerApiKey", tables.prefix)).create(domain)).apiKey;
  });

  after(async () => {
    await service?.app.close();
    await service?.publisher.close().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await tables?.dispose();
    await broker?.dispose();
  });

  async function send(source: string, id: string) {
    const res = await fetch(`${base}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/cloudevents+json" },
      body: JSON.stringify({ specversion: "1.0", id, source, type, data: { n: 1 } }),
    });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: (await res.json()) as Record<string, any> };
  }

  it("answers 503 problem+json and never 202 while the broker is stopped, then accepts again without a restart", async () => {
    assert.equal((await send("/before", randomUUID())).status, 202);

    await broker.stop();
    const source = "/during-outage";
    const id = randomUUID();
    const started = Date.now();
    const during = await send(source, id);
    assert.equal(during.status, 503, JSON.stringify(during.body));
    assert.match(during.contentType, /^application\/problem\+json/);
    assert.equal(during.body.status, 503);
    assert.ok(Date.now() - started < 10_000, "the answer is bounded by the publish timeout");
    const another = await send("/during-outage-2", randomUUID());
    assert.equal(another.status, 503);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);

    await broker.start();
    // The same event again: its reservation was released, so it is accepted, not called a duplicate.
    let after: Awaited<ReturnType<typeof send>> | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      after = await send(source, id);
      if (after.status === 202) break;
      assert.equal(after.status, 503, JSON.stringify(after.body));
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(after?.status, 202, "the gateway recovers once the broker is back");
    assert.equal(after?.body.duplicate, undefined, "a retry after a 503 is not a duplicate");

    const collector = await TopicCollector.start(client, [topic], `outage-${randomUUID()}`);
    try {
      const [record] = await collector.waitFor((r) => (JSON.parse(r.value) as IngressRecord).event.source === source);
      assert.equal((JSON.parse(record!.value) as IngressRecord).eventId, after!.body.eventId);
    } finally {
      await collector.stop();
    }
  });
});
