// POST /v1/dlq/replay on Kafka and DynamoDB Local: a subscription's DLQ records (since a time)
// go back to its egress topic with a fresh attempt count; other subscriptions' records stay.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import pino from "pino";
import type { Admin, Kafka, Producer } from "kafkajs";
import type { FastifyInstance } from "fastify";
import type { DeliveryRecord } from "../../../model/records";
import { dlqTopic, egressTopic, kafkaHeaders } from "../../../model/topics";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { createAdminService } from "../../../apps/admin/service";
import { kafka } from "../../support/engines";
import { TopicCollector, listen, testTables, type TestTables } from "../shared/service-harness";

const token = `replay-token-${randomUUID()}`;
type Json = Record<string, any>;

describe("DLQ replay", () => {
  let tables: TestTables;
  let client: Kafka;
  let kafkaAdmin: Admin;
  let producer: Producer;
  let app: FastifyInstance;
  let closeReplayer: () => Promise<void>;
  let base: string;
  let domain: string;
  let eventType: string;
  const partner = `replay_${randomUUID().slice(0, 8)}`;

  before(async () => {
    tables = await testTables("dlq_replay");
    domain = tables.prefix.replace(/_$/, "");
    eventType = `${domain}.failed_often`;
    client = kafka("dlq-replay-test");
    kafkaAdmin = client.admin();
    await kafkaAdmin.connect();
    producer = client.producer();
    await producer.connect();
    const service = createAdminService({
      doc: tables.doc,
      tablePrefix: tables.prefix,
      ingressAdmin: kafkaAdmin,
      egressAdmin: kafkaAdmin,
      egressKafka: client,
      registry: new LocalSchemaRegistry(tables.doc, tables.prefix),
      logger: pino({ level: "silent" }),
      adminToken: token,
      sizing: { partitions: 2, replicationFactor: 1 },
      allowPrivateTargets: true,
    });
    app = service.app;
    closeReplayer = () => service.dlqReplayer.close();
    base = await listen(app);
    assert.equal((await call("PUT", `/v1/schemas/${domain}/failed_often`, { type: "object" })).status, 201);
  });

  after(async () => {
    await app?.close();
    await closeReplayer?.();
    await producer?.disconnect();
    await kafkaAdmin?.disconnect();
    await tables?.dispose();
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: (await res.json()) as Json };
  }

  async function subscribe(approve: boolean): Promise<string> {
    const partnerId = approve ? partner : `${partner}_p`;
    const created = await call("POST", `/v1/partners/${partnerId}/subscriptions`, { eventType, url: "http://127.0.0.1:9/hook" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    if (approve) assert.equal((await call("POST", `/v1/partners/${partnerId}/subscriptions/${created.body.id}/approve`)).status, 200);
    return created.body.id as string;
  }

  function dlqRecord(subscriptionId: string, timestamp: number) {
    const value: DeliveryRecord = {
      eventId: randomUUID(),
      subscriptionId,
      partnerId: partner,
      eventType,
      receivedAt: new Date(timestamp).toISOString(),
      type: eventType,
      timestamp: new Date(timestamp).toISOString(),
      data: { n: 1 },
    };
    return {
      key: "/source",
      value: JSON.stringify(value),
      timestamp: String(timestamp),
      headers: { [kafkaHeaders.eventId]: value.eventId, [kafkaHeaders.subscriptionId]: subscriptionId, [kafkaHeaders.attempt]: "8", [kafkaHeaders.notBefore]: "0" },
    };
  }

  it("puts the subscription's DLQ records since a time back on its egress topic with a fresh attempt count, and only those", async () => {
    const mine = await subscribe(true);
    const other = `sub_${randomUUID()}`;
    const type = { domain, event: "failed_often" };
    await ensureTopic(kafkaAdmin, dlqTopic(type), "dlq", { partitions: 2, replicationFactor: 1 });
    const now = Date.now();
    const old = dlqRecord(mine, now - 3_600_000);
    const recent = [dlqRecord(mine, now - 1000), dlqRecord(mine, now)];
    await producer.send({ topic: dlqTopic(type), acks: -1, messages: [old, ...recent, dlqRecord(other, now)] });

    const res = await call("POST", "/v1/dlq/replay", { subscriptionId: mine, since: new Date(now - 600_000).toISOString() });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body, { replayed: 2 });

    const collector = await TopicCollector.start(client, [egressTopic(partner, type)], `replay-check-${randomUUID()}`);
    try {
      const replayed = await collector.waitFor(() => true, 2);
      const ids = replayed.map((r) => (JSON.parse(r.value) as DeliveryRecord).eventId).sort();
      assert.deepEqual(ids, recent.map((r) => JSON.parse(r.value).eventId).sort());
      for (const r of replayed) {
        assert.equal(r.headers[kafkaHeaders.attempt], undefined);
        assert.equal(r.headers[kafkaHeaders.notBefore], undefined);
        assert.equal(r.headers[kafkaHeaders.subscriptionId], mine);
        assert.equal(r.key, "/source");
      }
      const all = await call("POST", "/v1/dlq/replay", { subscriptionId: mine });
      assert.deepEqual(all.body, { replayed: 3 });
      await collector.waitFor(() => true, 5);
    } finally {
      await collector.stop();
    }
  });

  it("answers 404 for an unknown subscription, 409 for one not approved and 400 for a bad body", async () => {
    const unknown = await call("POST", "/v1/dlq/replay", { subscriptionId: `sub_${randomUUID()}` });
    assert.equal(unknown.status, 404);
    assert.match(unknown.contentType, /^application\/problem\+json/);
    const pending = await call("POST", "/v1/dlq/replay", { subscriptionId: await subscribe(false) });
    assert.equal(pending.status, 409);
    assert.match(pending.body.detail, /pending; approve it/);
    const bad = await call("POST", "/v1/dlq/replay", { subscriptionId: "x", since: "yesterday" });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: Json) => e.path).sort(), ["/since", "/subscriptionId"]);
  });
});
