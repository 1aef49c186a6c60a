// Processor and dispatcher together, in-process, on Kafka and DynamoDB Local: one event with
// three approved, one pending and one cancelled subscription gives exactly three deliveries.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Registry } from "prom-client";
import { Webhook } from "standardwebhooks";
import { DispatcherScenario } from "./dispatcher-fixture";
import { createTopic, eventually, ingressMessage, ingressRecord, newSecret, Receiver, silentLogger } from "./fixtures";
import { Processor } from "../../../apps/processor/processor";
import { processorMetrics } from "../../../apps/processor/metrics";
import { approvedSubscriptions } from "../../../apps/processor/subscriptions";
import type { SubscriptionItem } from "../../../model/records";
import type { SubscriptionStatus } from "../../../model/tables";
import { ingressTopic } from "../../../model/topics";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";

describe("fan-out from one event to partner receivers", () => {
  let s: DispatcherScenario;
  let processor: Processor;
  const receivers: Receiver[] = [];
  const subs: { sub: SubscriptionItem; secret: string; receiver: Receiver }[] = [];

  before(async () => {
    s = await DispatcherScenario.start({ name: "fanout", schedule: "1s", timeoutMs: 1000 });
    await createTopic(s.admin, ingressTopic(s.type), "ingress");
    const statuses: SubscriptionStatus[] = ["approved", "approved", "approved", "pending", "cancelled"];
    const seeds: { partnerId: string; url: string; status: SubscriptionStatus; secrets: { secret: string; created_at: string }[]; receiver: Receiver; secret: string }[] = [];
    for (const [i, status] of statuses.entries()) {
      const receiver = await Receiver.start();
      receivers.push(receiver);
      const secret = newSecret();
      seeds.push({ partnerId: `p_fan${i}`, url: receiver.url, status, secrets: [{ secret, created_at: new Date().toISOString() }], receiver, secret });
    }
    const created = await s.subscribeAll(seeds.map(({ partnerId, url, status, secrets }) => ({ partnerId, url, status, secrets })));
    created.forEach((sub, i) => subs.push({ sub, secret: seeds[i]!.secret, receiver: seeds[i]!.receiver }));
    processor = new Processor({
      ingress: s.kafka,
      egress: s.kafka,
      writes: new TransactionalWriteBatcher(s.tables.doc),
      countersTable: s.tables.name("eventSubscriptionKafka"),
      subscriptions: approvedSubscriptions(s.tables.doc, s.tables.name("partnerEventSubscription"), 1000),
      metrics: processorMetrics(new Registry()),
      logger: silentLogger,
      topicRefreshMs: 1000,
      sessionTimeoutMs: 6000,
      groupId: `tests-${s.prefix}processor`,
      pattern: new RegExp(`^wh\\.ingress\\.${s.domain}\\.`),
    });
    await processor.start();
  });

  after(async () => {
    await processor.stop();
    await s.close();
    for (const r of receivers) await r.close();
  });

  it("delivers exactly three signed requests for three approved, one pending and one cancelled subscription", async () => {
    const record = ingressRecord(s.eventType, { orderId: 99 });
    await s.producer.send({ topic: ingressTopic(s.type), acks: -1, messages: [ingressMessage(record, "order-99")] });
    await eventually("three deliveries", () => (receivers.reduce((n, r) => n + r.requests.length, 0) >= 3 ? true : undefined), 30_000);
    await sleep(2000);
    assert.deepEqual(
      subs.map(({ sub, receiver }) => [sub.status, receiver.requests.length]),
      [
        ["approved", 1],
        ["approved", 1],
        ["approved", 1],
        ["pending", 0],
        ["cancelled", 0],
      ],
    );
    for (const { sub, secret, receiver } of subs.slice(0, 3)) {
      const req = receiver.requests[0]!;
      const payload = new Webhook(secret).verify(req.body, {
        "webhook-id": String(req.headers["webhook-id"]),
        "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"]),
      });
      assert.deepEqual(payload, { type: s.eventType, timestamp: record.event.time, data: { orderId: 99 } }, sub.partner_id);
      // A receiver's secret verifies only its own deliveries.
      const other = subs.find((x) => x.sub !== sub && x.sub.status === "approved")!;
      assert.throws(() =>
        new Webhook(other.secret).verify(req.body, {
          "webhook-id": String(req.headers["webhook-id"]),
          "webhook-timestamp": String(req.headers["webhook-timestamp"]),
          "webhook-signature": String(req.headers["webhook-signature"]),
        }),
      );
    }
    assert.equal(new Set(subs.slice(0, 3).map(({ receiver }) => receiver.requests[0]!.headers["webhook-id"])).size, 3);
  });
});
