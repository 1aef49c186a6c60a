import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { dynamoClient, uniquePrefix } from "../../support/engines";
import { Tables } from "../delivery/fixtures";
import { DynamoDeliveryStatusStore } from "../../../apps/dispatcher/status-store";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";
import type { DeliveryAttempt, DeliveryRecord, DeliveryStatusItem } from "../../../model/records";

describe("DynamoDeliveryStatusStore on DynamoDB Local", () => {
  let tables: Tables;
  let store: DynamoDeliveryStatusStore;
  const source = { topic: "wh.egress.acme.orders.created", partition: 2, offset: "41" };
  const record = (): DeliveryRecord => ({
    eventId: randomUUID(),
    subscriptionId: "sub_1",
    partnerId: "acme",
    eventType: "orders.created",
    receivedAt: new Date().toISOString(),
    type: "orders.created",
    timestamp: new Date().toISOString(),
    data: null,
  });
  const attempt = (n: number, result: string): DeliveryAttempt => ({ attempt: n, at: new Date().toISOString(), duration_ms: 3, result });
  const item = (r: DeliveryRecord) => tables.get<DeliveryStatusItem & { lease_until?: number }>("eventDeliveryStatus", { event_id: r.eventId, subscription_id: r.subscriptionId });

  before(async () => {
    tables = await Tables.create(dynamoClient(), uniquePrefix("status"));
    store = new DynamoDeliveryStatusStore(new TransactionalWriteBatcher(tables.doc), tables.name("eventDeliveryStatus"));
  });
  after(async () => {
    await tables.drop();
    tables.client.destroy();
  });

  it("creates the item on the first claim with where the record was read", async () => {
    const r = record();
    assert.deepEqual(await store.claim(r, "msg_x", source, 10_000), { kind: "claimed" });
    const it = await item(r);
    assert.deepEqual(
      [it?.status, it?.attempts, it?.webhook_id, it?.partner_id, it?.kafka_topic, it?.kafka_partition, it?.kafka_offset],
      ["pending", [], "msg_x", "acme", source.topic, 2, "41"],
    );
    assert.ok((it?.lease_until ?? 0) > Date.now());
  });

  it("tells a second claim to wait while the lease is live, and lets it in once the outcome is written", async () => {
    const r = record();
    await store.claim(r, "msg_x", source, 10_000);
    const second = await store.claim(r, "msg_x", source, 10_000);
    assert.equal(second.kind, "leased");
    assert.ok(second.kind === "leased" && second.untilMs > Date.now() + 9000);
    assert.equal(await store.recordAttempt(r, attempt(1, "http_error"), "retrying", new Date(Date.now() + 1000)), "written");
    assert.equal((await item(r))?.lease_until, undefined);
    assert.deepEqual(await store.claim(r, "msg_x", source, 10_000), { kind: "claimed" });
  });

  it("lets a claim in after a dead holder's lease ran out", async () => {
    const r = record();
    await store.claim(r, "msg_x", source, 1);
    await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(await store.claim(r, "msg_x", source, 10_000), { kind: "claimed" });
  });

  it("refuses every claim and outcome after success, keeping the attempts", async () => {
    const r = record();
    await store.claim(r, "msg_x", source, 10_000);
    await store.recordAttempt(r, attempt(1, "success"), "succeeded");
    assert.deepEqual(await store.claim(r, "msg_x", source, 10_000), { kind: "already_succeeded" });
    assert.equal(await store.recordAttempt(r, attempt(2, "http_error"), "retrying", new Date()), "already_succeeded");
    const it = await item(r);
    assert.equal(it?.status, "succeeded");
    assert.deepEqual(it?.attempts.map((a) => a.result), ["success"]);
    assert.equal(it?.next_attempt_at, undefined);
  });

  it("group-commits the claims and outcomes of many deliveries at once, each answered by its own condition", async () => {
    const writes = new TransactionalWriteBatcher(tables.doc);
    const grouped = new DynamoDeliveryStatusStore(writes, tables.name("eventDeliveryStatus"));
    const done = Array.from({ length: 20 }, record); // succeeded earlier: a replay is a duplicate
    const held = Array.from({ length: 20 }, record); // leased by another instance right now
    const fresh = Array.from({ length: 80 }, record);
    for (const r of done) {
      await store.claim(r, "msg_x", source, 10_000);
      await store.recordAttempt(r, attempt(1, "success"), "succeeded");
    }
    for (const r of held) await store.claim(r, "msg_x", source, 10_000);

    const outcomes = await Promise.all(
      [...done, ...held, ...fresh].map(async (r, i) => {
        const claim = await grouped.claim(r, "msg_x", source, 10_000);
        if (claim.kind !== "claimed") return claim.kind;
        const ok = i % 2 === 0;
        return grouped.recordAttempt(r, attempt(1, ok ? "success" : "http_error"), ok ? "succeeded" : "retrying", ok ? undefined : new Date(Date.now() + 1000));
      }),
    );

    assert.deepEqual(outcomes, [...done.map(() => "already_succeeded"), ...held.map(() => "leased"), ...fresh.map(() => "written")]);
    // 120 claims then 80 outcomes in a handful of transactions, not 200 requests. (A transaction
    // with a failed condition writes nothing: its other writes are sent again, so count those too.)
    assert.ok(writes.stats.writes >= 200);
    assert.ok(writes.stats.transactions <= 5, `${writes.stats.transactions} transactions for ${writes.stats.writes} writes`);
    for (const r of done) assert.deepEqual((await item(r))?.attempts.map((a) => a.result), ["success"]);
    for (const r of held) {
      const it = await item(r);
      assert.deepEqual([it?.status, it?.attempts], ["pending", []]);
      assert.ok((it?.lease_until ?? 0) > Date.now());
    }
    for (const [i, r] of fresh.entries()) {
      const it = await item(r);
      const ok = (done.length + held.length + i) % 2 === 0;
      assert.deepEqual([it?.status, it?.attempts.map((a) => a.result), it?.lease_until], [ok ? "succeeded" : "retrying", [ok ? "success" : "http_error"], undefined]);
    }
  });
});
