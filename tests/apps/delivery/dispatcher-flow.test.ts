import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { DispatcherScenario } from "./dispatcher-fixture";
import { eventually, newSecret, Receiver, TopicReader } from "./fixtures";
import { webhookId } from "../../../apps/dispatcher/signer";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DeliveryRecord, SigningSecret, SubscriptionItem, SubscriptionKafkaItem } from "../../../model/records";
import { dlqTopic, kafkaHeaders } from "../../../model/topics";

async function putSubscriptionSecrets(s: DispatcherScenario, sub: SubscriptionItem, secrets: SigningSecret[]): Promise<void> {
  await s.tables.doc.send(new PutCommand({ TableName: s.tables.name("partnerEventSubscription"), Item: { ...sub, secrets } }));
}

const headersOf = (h: Record<string, string | string[] | undefined>) => ({
  "webhook-id": String(h["webhook-id"]),
  "webhook-timestamp": String(h["webhook-timestamp"]),
  "webhook-signature": String(h["webhook-signature"]),
});

describe("dispatcher with retry tiers 1s,2s,4s on Kafka and DynamoDB Local", () => {
  let s: DispatcherScenario;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await Receiver.start();
    receivers.push(r);
    return r;
  };

  before(async () => {
    s = await DispatcherScenario.start({ name: "flow", schedule: "1s,2s,4s", timeoutMs: 1000 });
  });
  after(async () => {
    await s.close();
    for (const r of receivers) await r.close();
  });

  it("delivers a request that the standardwebhooks library verifies with the subscription's secret", async () => {
    const r = await receiver();
    const secret = newSecret();
    const sub = await s.subscribe({ partnerId: "p_ok", url: r.url, secrets: [{ secret, created_at: new Date().toISOString() }] });
    const record = await s.publish(sub, { orderId: 7 });
    await eventually("the delivery", () => r.requests[0]);
    const req = r.requests[0]!;
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(new Webhook(secret).verify(req.body, headersOf(req.headers)), { type: s.eventType, timestamp: record.timestamp, data: { orderId: 7 } });
    assert.equal(req.headers["webhook-id"], webhookId(record.eventId, sub.subscription_id));
    const status = await eventually("status succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined));
    assert.equal(status!.attempts.length, 1);
    assert.equal(status!.attempts[0]!.result, "success");
    assert.equal(status!.attempts[0]!.status_code, 200);
    assert.equal(status!.webhook_id, req.headers["webhook-id"]);
    const counters = await s.tables.get<SubscriptionKafkaItem>("eventSubscriptionKafka", { subscription_id: sub.subscription_id });
    assert.equal(counters?.delivered_count, 1);
  });

  it("signs with both secrets during a rotation overlap, so the old and the new secret verify, and with the new one only after it", async () => {
    const r = await receiver();
    const oldSecret = newSecret();
    const current = newSecret();
    const sub = await s.subscribe({
      partnerId: "p_rotated",
      url: r.url,
      secrets: [
        { secret: current, created_at: new Date().toISOString() },
        { secret: oldSecret, created_at: "2026-01-01T00:00:00Z", expires_at: new Date(Date.now() + 3_600_000).toISOString() },
      ],
    });
    await s.publish(sub);
    const req = await eventually("the delivery", () => r.requests[0]);
    assert.equal(String(req.headers["webhook-signature"]).split(" ").length, 2);
    assert.doesNotThrow(() => new Webhook(current).verify(req.body, headersOf(req.headers)));
    assert.doesNotThrow(() => new Webhook(oldSecret).verify(req.body, headersOf(req.headers)));

    // The overlap ends: the old secret's expiry passes, and only the new secret signs.
    await putSubscriptionSecrets(s, sub, [
      { secret: current, created_at: new Date().toISOString() },
      { secret: oldSecret, created_at: "2026-01-01T00:00:00Z", expires_at: new Date(Date.now() - 1000).toISOString() },
    ]);
    await sleep(200); // the scenario's subscription cache lives 100 ms
    await s.publish(sub);
    const after = await eventually("the delivery after the overlap", () => r.requests[1]);
    assert.equal(String(after.headers["webhook-signature"]).split(" ").length, 1);
    assert.doesNotThrow(() => new Webhook(current).verify(after.body, headersOf(after.headers)));
    assert.throws(() => new Webhook(oldSecret).verify(after.body, headersOf(after.headers)));
  });

  it("retries a receiver that fails twice with the same webhook-id, following the schedule, and records every attempt", async () => {
    const r = await receiver();
    r.answer = (_req, n) => ({ status: n <= 2 ? 500 : 200 });
    const sub = await s.subscribe({ partnerId: "p_flaky", url: r.url });
    const record = await s.publish(sub);
    await eventually("three requests", () => r.requests.length >= 3 || undefined, 20_000);
    await sleep(1000);
    assert.equal(r.requests.length, 3);
    assert.equal(new Set(r.requests.map((q) => q.headers["webhook-id"])).size, 1);
    const gap1 = r.requests[1]!.at - r.requests[0]!.at;
    const gap2 = r.requests[2]!.at - r.requests[1]!.at;
    assert.ok(gap1 >= 900 && gap1 < 2000, `first retry after ${gap1} ms, expected about 1 s`);
    assert.ok(gap2 >= 1800 && gap2 < 3300, `second retry after ${gap2} ms, expected about 2 s`);
    const status = await eventually("status succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined));
    assert.deepEqual(status!.attempts.map((a) => [a.attempt, a.result, a.status_code]), [
      [1, "http_error", 500],
      [2, "http_error", 500],
      [3, "success", 200],
    ]);
    assert.equal(await s.metric("webhook_delivery_retries_total", { tier: "1s" }) >= 1, true);
  });

  it("sends a delivery that always fails to the DLQ after the last attempt and marks it failed", async () => {
    const r = await receiver();
    r.answer = () => ({ status: 503 });
    const sub = await s.subscribe({ partnerId: "p_down", url: r.url });
    const record = await s.publish(sub);
    const status = await eventually("status failed", async () => ((await s.status(record))?.status === "failed" ? s.status(record) : undefined), 20_000);
    assert.equal(r.requests.length, 4);
    assert.deepEqual(status!.attempts.map((a) => a.result), ["throttled", "throttled", "throttled", "throttled"]);
    // The dispatcher creates the DLQ topic on first use; read it from the beginning once it exists.
    await eventually("the DLQ topic", async () => ((await s.admin.listTopics()).includes(dlqTopic(s.type)) ? true : undefined));
    const reader = await TopicReader.start(s.kafka, [dlqTopic(s.type)]);
    try {
      const dead = await eventually("the DLQ record", () => reader.records.find((x) => x.headers[kafkaHeaders.eventId] === record.eventId));
      assert.equal((JSON.parse(dead.value) as DeliveryRecord).subscriptionId, sub.subscription_id);
      assert.equal(dead.headers[kafkaHeaders.attempt], "4");
      await sleep(500);
      assert.equal(reader.records.filter((x) => x.headers[kafkaHeaders.eventId] === record.eventId).length, 1);
    } finally {
      await reader.stop();
    }
    const counters = await s.tables.get<SubscriptionKafkaItem>("eventSubscriptionKafka", { subscription_id: sub.subscription_id });
    assert.equal(counters?.failed_count, 1);
  });

  it("disables the subscription after one 410 and sends nothing more to it", async () => {
    const r = await receiver();
    r.answer = () => ({ status: 410 });
    const sub = await s.subscribe({ partnerId: "p_gone", url: r.url });
    const first = await s.publish(sub);
    await eventually("status failed", async () => ((await s.status(first))?.status === "failed" ? true : undefined));
    assert.equal((await s.subscription(sub))?.status, "disabled");
    assert.match((await s.subscription(sub))?.status_reason ?? "", /410/);
    const second = await s.publish(sub);
    const st = await eventually("second recorded", async () => ((await s.status(second))?.status === "failed" ? s.status(second) : undefined));
    assert.equal(st!.attempts[0]!.result, "subscription_inactive");
    await sleep(1500);
    assert.equal(r.requests.length, 1);
  });

  it("honours Retry-After on 429 by waiting at least that long", async () => {
    const r = await receiver();
    r.answer = (_req, n) => (n === 1 ? { status: 429, headers: { "retry-after": "3" } } : { status: 200 });
    const sub = await s.subscribe({ partnerId: "p_throttled", url: r.url });
    const record = await s.publish(sub);
    await eventually("second request", () => r.requests[1], 20_000);
    const gap = r.requests[1]!.at - r.requests[0]!.at;
    assert.ok(gap >= 3000 && gap < 5500, `retried after ${gap} ms, Retry-After said 3 s`);
    const st = await eventually("succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined));
    assert.equal(st!.attempts[0]!.result, "throttled");
  });

  it("does not follow a 302 and counts it as a failed attempt", async () => {
    const target = await receiver();
    const r = await receiver();
    r.answer = (_req, n) => (n === 1 ? { status: 302, headers: { location: target.url } } : { status: 200 });
    const sub = await s.subscribe({ partnerId: "p_redirect", url: r.url });
    const record = await s.publish(sub);
    const st = await eventually("succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined), 20_000);
    assert.deepEqual(st!.attempts.map((a) => [a.result, a.status_code]), [
      ["redirect", 302],
      ["success", 200],
    ]);
    assert.equal(target.requests.length, 0);
  });

  it("cuts a receiver that never answers at the timeout and retries", async () => {
    const r = await receiver();
    r.answer = (_req, n) => (n === 1 ? "hang" : { status: 200 });
    const sub = await s.subscribe({ partnerId: "p_slow", url: r.url });
    const record = await s.publish(sub);
    const st = await eventually("succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined), 20_000);
    assert.equal(st!.attempts[0]!.result, "timeout");
    assert.ok(st!.attempts[0]!.duration_ms >= 950 && st!.attempts[0]!.duration_ms < 2000, `cut after ${st!.attempts[0]!.duration_ms} ms`);
  });

  it("sends no request for a replayed record of a delivery that already succeeded", async () => {
    const r = await receiver();
    const sub = await s.subscribe({ partnerId: "p_replayed", url: r.url });
    const record = await s.publish(sub, { once: true });
    await eventually("succeeded", async () => ((await s.status(record))?.status === "succeeded" ? true : undefined));
    const skippedBefore = await s.metric("webhook_delivery_duplicates_skipped_total");
    await s.publish(sub, { once: true }, record.eventId);
    await eventually("the replay skipped", async () => ((await s.metric("webhook_delivery_duplicates_skipped_total")) > skippedBefore ? true : undefined));
    assert.equal(r.requests.length, 1);
    assert.equal((await s.status(record))!.attempts.length, 1);
  });
});

describe("dispatcher retry tiers 1s and 4s: no head-of-line blocking", () => {
  let s: DispatcherScenario;
  let r: Receiver;
  before(async () => {
    s = await DispatcherScenario.start({ name: "hol", schedule: "1s,4s", timeoutMs: 1000 });
    r = await Receiver.start();
  });
  after(async () => {
    await s.close();
    await r.close();
  });

  it("delivers a retry due in 1 s before one due in 4 s that was scheduled earlier", async () => {
    const slow = await s.subscribe({ partnerId: "p_later", url: `${r.url}?who=later` });
    const fast = await s.subscribe({ partnerId: "p_sooner", url: `${r.url}?who=sooner` });
    const seen = new Map<string, number>();
    r.answer = (req) => {
      const who = req.path.includes("later") ? "later" : "sooner";
      seen.set(who, (seen.get(who) ?? 0) + 1);
      if (seen.get(who) === 1) return who === "later" ? { status: 429, headers: { "retry-after": "4" } } : { status: 500 };
      return { status: 200 };
    };
    await s.publish(slow);
    await eventually("the first attempt of the later one", () => r.requests.find((q) => q.path.includes("later")));
    await sleep(200);
    await s.publish(fast);
    await eventually("both retried", () => (r.requests.length >= 4 ? true : undefined), 20_000);
    const order = r.requests.map((q) => (q.path.includes("later") ? "later" : "sooner"));
    assert.deepEqual(order, ["later", "sooner", "sooner", "later"]);
    const sooner = r.requests.filter((q) => q.path.includes("sooner"));
    const gap = sooner[1]!.at - sooner[0]!.at;
    assert.ok(gap < 2000, `the 1 s retry waited ${gap} ms`);
  });
});

describe("dispatcher circuit breaker (threshold 3, half-open after 1.5 s)", () => {
  let s: DispatcherScenario;
  let r: Receiver;
  before(async () => {
    s = await DispatcherScenario.start({ name: "breaker", schedule: "1s,2s,4s,4s", timeoutMs: 1000, breakerThreshold: 3, halfOpenMs: 1500, concurrency: 1 });
    r = await Receiver.start();
  });
  after(async () => {
    await s.close();
    await r.close();
  });

  it("opens after 3 failures, lets no request through while open, and closes after a successful probe", async () => {
    r.answer = () => ({ status: 500 });
    const sub = await s.subscribe({ partnerId: "p_flapping", url: r.url });
    const first = [await s.publish(sub, { i: 1 }, undefined, "a"), await s.publish(sub, { i: 2 }, undefined, "b"), await s.publish(sub, { i: 3 }, undefined, "c")];
    await eventually("three failed requests", () => (r.requests.length >= 3 ? true : undefined));
    await eventually("circuit open", async () => ((await s.metric("webhook_circuit_state")) === 2 ? true : undefined));
    const openedAt = Date.now();
    const later = [await s.publish(sub, { i: 4 }, undefined, "d"), await s.publish(sub, { i: 5 }, undefined, "e")];
    await eventually("circuit_open attempts recorded", async () => ((await s.metric("webhook_delivery_attempts_total", { result: "circuit_open" })) >= 2 ? true : undefined));
    const whileOpen = r.requests.filter((q) => q.at > openedAt && q.at < openedAt + 1400);
    assert.equal(whileOpen.length, 0, "no request reaches the receiver while the circuit is open");
    r.answer = () => ({ status: 200 });
    for (const record of [...first, ...later]) {
      await eventually(`event ${JSON.stringify(record.data)} delivered`, async () => ((await s.status(record))?.status === "succeeded" ? true : undefined), 30_000);
    }
    assert.equal(await s.metric("webhook_circuit_state"), 0);
    const st = await s.status(later[0]!);
    assert.equal(st!.attempts[0]!.result, "circuit_open");
    assert.equal(st!.attempts.at(-1)!.result, "success");
  });
});

describe("dispatcher with private targets refused", () => {
  let s: DispatcherScenario;
  let r: Receiver;
  before(async () => {
    s = await DispatcherScenario.start({ name: "ssrf", schedule: "1s", timeoutMs: 1000, allowPrivateTargets: false });
    r = await Receiver.start();
  });
  after(async () => {
    await s.close();
    await r.close();
  });

  it("refuses loopback, private, metadata and localhost targets without a connection reaching the listener", async () => {
    const port = new URL(r.url).port;
    const urls = [`https://127.0.0.1:${port}/hook`, `https://localhost:${port}/hook`, `https://[::1]:${port}/hook`, "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", `http://127.0.0.1:${port}/hook`];
    const subs = await s.subscribeAll(urls.map((url, i) => ({ partnerId: `p_ssrf${i}`, url })));
    const records = [];
    for (const sub of subs) records.push(await s.publish(sub));
    for (const record of records) {
      const st = await eventually("failed", async () => ((await s.status(record))?.status === "failed" ? s.status(record) : undefined), 20_000);
      assert.deepEqual(st!.attempts.map((a) => a.result), ["refused_target", "refused_target"]);
    }
    assert.equal(r.connections, 0);
    assert.equal(r.requests.length, 0);
  });
});

describe("dispatcher concurrency per partition (DELIVERY_CONCURRENCY 2)", () => {
  let s: DispatcherScenario;
  let r: Receiver;
  before(async () => {
    s = await DispatcherScenario.start({ name: "concurrency", schedule: "1s", timeoutMs: 5000, concurrency: 2 });
    r = await Receiver.start();
  });
  after(async () => {
    await s.close();
    await r.close();
  });

  it("delivers different keys side by side, at most 2 per partition, and each key's events in order", async () => {
    r.answer = () => ({ status: 200, delayMs: 150 });
    const sub = await s.subscribe({ partnerId: "p_busy", url: r.url });
    const keys = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    const records = [];
    for (let seq = 0; seq < 4; seq++) for (const key of keys) records.push(await s.publish(sub, { key, seq }, undefined, key));
    await eventually("every event delivered", () => (r.requests.length >= records.length ? true : undefined), 30_000);
    const partitions = 3; // the scenario's egress topics
    assert.ok(r.maxInFlight > 1, `deliveries ran one at a time (max in flight ${r.maxInFlight})`);
    assert.ok(r.maxInFlight <= 2 * partitions, `max in flight ${r.maxInFlight} exceeds 2 per partition`);
    for (const key of keys) {
      const seqs = r.requests.map((q) => JSON.parse(q.body).data as { key: string; seq: number }).filter((d) => d.key === key).map((d) => d.seq);
      assert.deepEqual(seqs, [0, 1, 2, 3], `order of ${key}`);
    }
  });
});
