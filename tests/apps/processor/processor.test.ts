import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Admin, Kafka, Producer } from "kafkajs";
import { Registry } from "prom-client";
import { dynamoClient, kafka as testKafka, uniquePrefix } from "../../support/engines";
import { createIngressAndEgress, createTopic, eventually, ingressMessage, ingressRecord, putSubscription, silentLogger, Tables, TopicReader } from "../delivery/fixtures";
import { Processor } from "../../../apps/processor/processor";
import { processorMetrics } from "../../../apps/processor/metrics";
import { approvedSubscriptions } from "../../../apps/processor/subscriptions";
import type { DeliveryRecord, SubscriptionItem, SubscriptionKafkaItem } from "../../../model/records";
import { egressTopic, ingressTopic, kafkaHeaders } from "../../../model/topics";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";

describe("processor on Kafka and DynamoDB Local", () => {
  const prefix = uniquePrefix("processor");
  const domain = prefix.slice(0, -1);
  const type = { domain, event: "created" };
  const eventType = `${domain}.created`;
  const partners = ["p_one", "p_two", "p_three", "p_pending", "p_cancelled"];
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let tables: Tables;
  let subs: SubscriptionItem[];
  let reader: TopicReader;
  const groupId = `tests-processor-${prefix}`;
  const pattern = new RegExp(`^wh\\.ingress\\.${domain}`);

  let registry = new Registry();
  const newProcessor = () =>
    new Processor({
      ingress: kafka,
      egress: kafka,
      writes: new TransactionalWriteBatcher(tables.doc),
      countersTable: tables.name("eventSubscriptionKafka"),
      subscriptions: approvedSubscriptions(tables.doc, tables.name("partnerEventSubscription"), 200),
      metrics: processorMetrics((registry = new Registry())),
      logger: silentLogger,
      topicRefreshMs: 500,
      sessionTimeoutMs: 6000,
      groupId,
      pattern,
    });
  let processor: Processor;

  before(async () => {
    kafka = testKafka("processor-test");
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    tables = await Tables.create(dynamoClient(), prefix);
    await createIngressAndEgress(admin, type, partners);
    const statuses = ["approved", "approved", "approved", "pending", "cancelled"] as const;
    subs = [];
    for (const [i, partnerId] of partners.entries()) {
      subs.push(await putSubscription(tables, { partnerId, eventType, url: `https://${partnerId}.example.com/hook`, status: statuses[i]! }));
    }
    reader = await TopicReader.start(kafka, new RegExp(`^wh\\.egress\\.p_[a-z]+\\.${domain}\\.`));
    processor = newProcessor();
    await processor.start();
  });

  after(async () => {
    await processor.stop();
    await reader.stop();
    await producer.disconnect();
    await admin.disconnect();
    await tables.drop();
    tables.client.destroy();
  });

  it("fans one event out to the three approved subscriptions only, keyed and attributed", async () => {
    const record = ingressRecord(eventType, { orderId: 42 });
    await producer.send({ topic: ingressTopic(type), messages: [ingressMessage(record, "order-42")] });
    await eventually("three egress records", () => reader.records.filter((r) => r.headers[kafkaHeaders.eventId] === record.eventId).length >= 3 || undefined);
    await sleep(1500); // anything more would show up by now
    const mine = reader.records.filter((r) => r.headers[kafkaHeaders.eventId] === record.eventId);
    assert.deepEqual(mine.map((r) => r.topic).sort(), ["p_one", "p_three", "p_two"].map((p) => egressTopic(p, type)).sort());
    for (const r of mine) {
      const value = JSON.parse(r.value) as DeliveryRecord;
      const sub = subs.find((s) => s.subscription_id === value.subscriptionId)!;
      assert.equal(r.topic, egressTopic(sub.partner_id, type));
      assert.equal(r.key, "order-42");
      assert.equal(r.headers[kafkaHeaders.subscriptionId], sub.subscription_id);
      assert.deepEqual(
        { eventId: value.eventId, partnerId: value.partnerId, type: value.type, timestamp: value.timestamp, data: value.data },
        { eventId: record.eventId, partnerId: sub.partner_id, type: eventType, timestamp: record.event.time, data: { orderId: 42 } },
      );
    }
  });

  it("counts published records per approved subscription in event_subscription_kafka", async () => {
    for (const sub of subs) {
      const item = await tables.get<SubscriptionKafkaItem>("eventSubscriptionKafka", { subscription_id: sub.subscription_id });
      const expected = sub.status === "approved" ? 1 : undefined;
      assert.equal(item?.published_count, expected, `${sub.partner_id} (${sub.status})`);
    }
  });

  it("skips an unreadable ingress record and delivers the next one", async () => {
    const good = ingressRecord(eventType, { n: 2 });
    await producer.send({ topic: ingressTopic(type), messages: [{ key: "k", value: "not json" }, ingressMessage(good, "k")] });
    await eventually("the good record fanned out", () => reader.records.filter((r) => r.headers[kafkaHeaders.eventId] === good.eventId).length === 3 || undefined);
  });

  it("picks up an ingress topic created after it started", async () => {
    const later = { domain, event: "shipped" };
    await createTopic(admin, ingressTopic(later), "ingress");
    await createTopic(admin, egressTopic("p_one", later), "egress");
    await putSubscription(tables, { partnerId: "p_one", eventType: `${domain}.shipped`, url: "https://p_one.example.com/hook" });
    const record = ingressRecord(`${domain}.shipped`, { parcel: 7 });
    // Produced before the processor has seen the topic: read from the beginning once it has.
    await producer.send({ topic: ingressTopic(later), messages: [ingressMessage(record)] });
    await eventually("the new topic subscribed", () => processor.topics().includes(ingressTopic(later)) || undefined, 15_000);
    const laterReader = await TopicReader.start(kafka, [egressTopic("p_one", later)]);
    try {
      const out = await eventually("egress record of the new event type", () => laterReader.records.find((r) => r.headers[kafkaHeaders.eventId] === record.eventId), 15_000);
      assert.equal(JSON.parse(out.value).data.parcel, 7);
    } finally {
      await laterReader.stop();
    }
  });

  it("resumes after a restart from committed offsets without publishing old events again", async () => {
    const before = reader.records.length;
    await processor.stop();
    const record = ingressRecord(eventType, { n: 3 });
    await producer.send({ topic: ingressTopic(type), messages: [ingressMessage(record)] });
    processor = newProcessor();
    await processor.start();
    await eventually("the event published while stopped", () => reader.records.filter((r) => r.headers[kafkaHeaders.eventId] === record.eventId).length === 3 || undefined);
    await sleep(1500);
    const since = reader.records.slice(before);
    assert.deepEqual(
      since.map((r) => r.headers[kafkaHeaders.eventId]),
      [record.eventId, record.eventId, record.eventId],
    );
  });

  it("sends events to a subscription approved while running once the cache entry expires", async () => {
    const pending = subs.find((x) => x.partner_id === "p_pending")!;
    await putSubscription(tables, { partnerId: "p_pending", eventType, url: pending.url, status: "approved" });
    await sleep(300); // the test's cache TTL is 200 ms
    const record = ingressRecord(eventType, { n: 4 });
    await producer.send({ topic: ingressTopic(type), messages: [ingressMessage(record)] });
    await eventually("four egress records", () => reader.records.filter((r) => r.headers[kafkaHeaders.eventId] === record.eventId).length === 4 || undefined);
    assert.ok(reader.records.some((r) => r.headers[kafkaHeaders.eventId] === record.eventId && r.topic === egressTopic("p_pending", type)));
  });

  it("holds a batch whose egress topic is missing, counts the failure, and publishes it once the topic exists", async () => {
    const refunded = { domain, event: "refunded" };
    await createTopic(admin, ingressTopic(refunded), "ingress");
    await putSubscription(tables, { partnerId: "p_one", eventType: `${domain}.refunded`, url: "https://p_one.example.com/hook" });
    const record = ingressRecord(`${domain}.refunded`, { refund: 9 });
    await producer.send({ topic: ingressTopic(refunded), messages: [ingressMessage(record)] });
    const failures = async () => (await registry.getMetricsAsJSON()).find((m) => m.name === "processor_batch_failures_total")?.values.find((v) => v.labels.topic === ingressTopic(refunded))?.value;
    await eventually("a failed batch counted for the topic", async () => ((await failures()) ?? 0) > 0 || undefined, 60_000, 250);

    await createTopic(admin, egressTopic("p_one", refunded), "egress");
    const refundedReader = await TopicReader.start(kafka, [egressTopic("p_one", refunded)]);
    try {
      const out = await eventually("the held event published", () => refundedReader.records.find((r) => r.headers[kafkaHeaders.eventId] === record.eventId), 90_000, 250);
      assert.equal(JSON.parse(out.value).data.refund, 9);
    } finally {
      await refundedReader.stop();
    }
  });
});
