// DeliveryService decisions with in-memory collaborators (pure logic; the Kafka, DynamoDB and
// HTTP paths are covered by tests/apps/delivery/*).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import pino from "pino";
import { EndpointBreakers } from "../../../apps/dispatcher/breaker";
import type { AttemptOutcome, DeliveryRequest } from "../../../apps/dispatcher/deliver";
import { DeliveryService, parseDeliveryRecord, webhookBody, type IncomingDelivery, type OutgoingRecord } from "../../../apps/dispatcher/delivery";
import { dispatcherMetrics } from "../../../apps/dispatcher/metrics";
import { parseRetrySchedule } from "../../../apps/dispatcher/schedule";
import { webhookId } from "../../../apps/dispatcher/signer";
import type { ClaimResult, DeliveryStatusStore, WriteResult } from "../../../apps/dispatcher/status-store";
import type { SubscriptionDirectory } from "../../../apps/dispatcher/subscriptions";
import type { DeliveryAttempt, DeliveryRecord, SubscriptionItem } from "../../../model/records";
import type { DeliveryStatus, SubscriptionStatus } from "../../../model/tables";
import { kafkaHeaders } from "../../../model/topics";

const now = Date.parse("2026-03-01T12:00:00Z");

function subscription(status: SubscriptionStatus = "approved"): SubscriptionItem {
  return {
    subscription_key: "acme#orders.created",
    subscription_id: "sub_1",
    partner_id: "acme",
    event_type: "orders.created",
    url: "https://hooks.acme.example/in",
    status,
    secrets: [{ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", created_at: "2026-01-01T00:00:00Z" }],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

const record: DeliveryRecord = {
  eventId: "evt-1",
  subscriptionId: "sub_1",
  partnerId: "acme",
  eventType: "orders.created",
  receivedAt: "2026-03-01T11:59:59Z",
  type: "orders.created",
  timestamp: "2026-03-01T11:59:59Z",
  data: { id: 1 },
};

class MemoryStatus implements DeliveryStatusStore {
  status: DeliveryStatus | undefined;
  attempts: DeliveryAttempt[] = [];
  nextAttemptAt: Date | undefined;
  succeededElsewhereAfterAttempt = false;
  leaseUntil: number | undefined;
  claims = 0;
  async claim(_r: DeliveryRecord, _id: string, _s: unknown, leaseMs: number): Promise<ClaimResult> {
    this.claims++;
    if (this.status === "succeeded") return { kind: "already_succeeded" };
    if (this.leaseUntil !== undefined && this.leaseUntil > Date.now()) return { kind: "leased", untilMs: this.leaseUntil };
    this.status ??= "pending";
    this.leaseUntil = Date.now() + leaseMs;
    return { kind: "claimed" };
  }
  async recordAttempt(_r: DeliveryRecord, attempt: DeliveryAttempt, status: DeliveryStatus, next?: Date): Promise<WriteResult> {
    if (this.succeededElsewhereAfterAttempt) this.status = "succeeded";
    if (this.status === "succeeded") return "already_succeeded";
    this.attempts.push(attempt);
    this.status = status;
    this.leaseUntil = undefined;
    this.nextAttemptAt = next;
    return "written";
  }
}

function setup(options: { sub?: SubscriptionItem | undefined; outcomes?: AttemptOutcome[]; threshold?: number } = {}) {
  const sub = "sub" in options ? options.sub : subscription();
  const requests: DeliveryRequest[] = [];
  const published: { topic: string; record: OutgoingRecord }[] = [];
  const disabled: string[] = [];
  const status = new MemoryStatus();
  const outcomes = [...(options.outcomes ?? [])];
  const subscriptions: SubscriptionDirectory = {
    get: async () => sub,
    disable: async (s, reason) => void disabled.push(`${s.subscription_id}: ${reason}`),
  };
  const service = new DeliveryService({
    subscriptions,
    status,
    breakers: new EndpointBreakers({ threshold: options.threshold ?? 100, halfOpenAfterMs: 60_000 }),
    deliverer: {
      attempt: async (req) => {
        requests.push(req);
        return outcomes.shift() ?? { kind: "success", result: "success", statusCode: 200, durationMs: 5 };
      },
    },
    publish: async (topic, r) => void published.push({ topic, record: r }),
    ensureDlqTopic: async () => undefined,
    schedule: parseRetrySchedule("1s,2s,4s"),
    leaseMs: 10_000,
    metrics: dispatcherMetrics(new Registry()),
    logger: pino({ level: "silent" }),
    now: () => now,
    random: () => 0.5,
  });
  return { service, requests, published, disabled, status };
}

function incoming(attemptsMade: number, headers: Record<string, string> = {}): IncomingDelivery {
  return { record, key: "k1", headers, source: { topic: "wh.egress.acme.orders.created", partition: 0, offset: "7" }, attemptsMade };
}

const fail500: AttemptOutcome = { kind: "retry", result: "http_error", statusCode: 500, durationMs: 3, error: "receiver answered 500" };

describe("DeliveryService", () => {
  it("signs and sends the body, then records success", async () => {
    const t = setup();
    assert.equal(await t.service.handle(incoming(0)), "succeeded");
    assert.equal(t.requests.length, 1);
    assert.equal(t.requests[0]!.body, webhookBody(record));
    assert.equal(t.requests[0]!.headers["webhook-id"], webhookId("evt-1", "sub_1"));
    assert.equal(t.status.status, "succeeded");
  });

  it("says the attempt is over once the request is answered, before the outcome is written", async () => {
    const t = setup();
    const events: string[] = [];
    const recordAttempt = t.status.recordAttempt.bind(t.status);
    t.status.recordAttempt = async (...args) => {
      events.push("outcome written");
      return recordAttempt(...args);
    };
    await t.service.handle(incoming(0), () => events.push(`attempted after ${t.requests.length} request`));
    assert.deepEqual(events, ["attempted after 1 request", "outcome written"]);
  });

  it("puts a failed attempt on the next tier with the original headers, attempt and not_before", async () => {
    const t = setup({ outcomes: [fail500] });
    assert.equal(await t.service.handle(incoming(1, { [kafkaHeaders.eventId]: "evt-1", [kafkaHeaders.traceparent]: "00-abc-def-01", [kafkaHeaders.notBefore]: "1" })), "retry_scheduled");
    assert.equal(t.published.length, 1);
    const { topic, record: out } = t.published[0]!;
    assert.equal(topic, "wh.retry.2s");
    assert.equal(out.key, "k1");
    assert.deepEqual(out.headers, {
      [kafkaHeaders.eventId]: "evt-1",
      [kafkaHeaders.traceparent]: "00-abc-def-01",
      [kafkaHeaders.attempt]: "2",
      [kafkaHeaders.notBefore]: String(now + 2000),
    });
    assert.equal(t.status.status, "retrying");
    assert.equal(t.status.nextAttemptAt?.getTime(), now + 2000);
    assert.deepEqual(t.status.attempts.map((a) => [a.attempt, a.result]), [[2, "http_error"]]);
  });

  it("sends the last failed attempt to the DLQ without not_before and marks it failed", async () => {
    const t = setup({ outcomes: [fail500] });
    assert.equal(await t.service.handle(incoming(3, { [kafkaHeaders.notBefore]: "123" })), "dead_lettered");
    assert.equal(t.published[0]!.topic, "wh.dlq.orders.created");
    assert.deepEqual(t.published[0]!.record.headers, { [kafkaHeaders.attempt]: "4" });
    assert.deepEqual(JSON.parse(t.published[0]!.record.value), record);
    assert.equal(t.status.status, "failed");
  });

  it("counts an open circuit as an attempt without sending a request", async () => {
    const t = setup({ outcomes: [fail500], threshold: 1 });
    await t.service.handle(incoming(0));
    assert.equal(await t.service.handle({ ...incoming(1), record: { ...record, eventId: "evt-2" } }), "retry_scheduled");
    assert.equal(t.requests.length, 1);
    assert.equal(t.status.attempts.at(-1)!.result, "circuit_open");
    assert.match(t.status.attempts.at(-1)!.error ?? "", /circuit open for https:\/\/hooks\.acme\.example/);
  });

  it("disables the subscription on 410 and neither retries nor dead-letters", async () => {
    const t = setup({ outcomes: [{ kind: "gone", result: "gone", statusCode: 410, durationMs: 2 }] });
    assert.equal(await t.service.handle(incoming(0)), "disabled");
    assert.deepEqual(t.published, []);
    assert.equal(t.status.status, "failed");
    assert.match(t.disabled[0] ?? "", /^sub_1: receiver answered 410/);
  });

  it("records a cancelled subscription's record as failed without a request", async () => {
    const t = setup({ sub: subscription("cancelled") });
    assert.equal(await t.service.handle(incoming(0)), "inactive");
    assert.equal(t.requests.length, 0);
    assert.deepEqual(t.status.attempts.map((a) => [a.result, a.error]), [["subscription_inactive", "subscription is cancelled"]]);
  });

  it("skips a record of an unknown subscription without writing anything", async () => {
    const t = setup({ sub: undefined });
    assert.equal(await t.service.handle(incoming(0)), "unknown_subscription");
    assert.equal(t.status.status, undefined);
    assert.equal(t.requests.length, 0);
  });

  it("sends nothing for a delivery that already succeeded", async () => {
    const t = setup();
    t.status.status = "succeeded";
    assert.equal(await t.service.handle(incoming(2)), "duplicate");
    assert.equal(t.requests.length, 0);
  });

  it("waits for another instance's lease on the pair and then skips the delivery it completed", async () => {
    const t = setup();
    t.status.status = "retrying";
    t.status.leaseUntil = Date.now() + 300;
    setTimeout(() => (t.status.status = "succeeded"), 150);
    const started = Date.now();
    assert.equal(await t.service.handle(incoming(1)), "duplicate");
    assert.ok(Date.now() - started >= 250, "waited for the lease");
    assert.equal(t.requests.length, 0);
    assert.equal(t.status.claims, 2);
  });

  it("publishes no retry when a duplicate succeeded while this attempt failed", async () => {
    const t = setup({ outcomes: [fail500] });
    t.status.succeededElsewhereAfterAttempt = true;
    assert.equal(await t.service.handle(incoming(0)), "duplicate");
    assert.deepEqual(t.published, []);
  });
});

describe("parseDeliveryRecord", () => {
  it("reads the record and the attempts made from the header", () => {
    assert.deepEqual(parseDeliveryRecord(Buffer.from(JSON.stringify(record)), { [kafkaHeaders.attempt]: "2" }), { record, attemptsMade: 2 });
    assert.equal(parseDeliveryRecord(Buffer.from(JSON.stringify(record)), {}).attemptsMade, 0);
  });
  it("names the field at fault", () => {
    assert.throws(() => parseDeliveryRecord(Buffer.from(JSON.stringify({ ...record, subscriptionId: "" })), {}), /subscriptionId must be a non-empty string/);
    assert.throws(() => parseDeliveryRecord(Buffer.from("{"), {}), /value is not JSON/);
    assert.throws(() => parseDeliveryRecord(Buffer.from(JSON.stringify(record)), { [kafkaHeaders.attempt]: "x" }), /header attempt must be a whole number, got "x"/);
  });
});
