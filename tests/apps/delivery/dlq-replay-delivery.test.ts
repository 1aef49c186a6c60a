import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { DispatcherScenario } from "./dispatcher-fixture";
import { eventually, newSecret, Receiver } from "./fixtures";
import { DlqReplayer } from "../../../apps/admin/dlq-replay";
import { dlqTopic } from "../../../model/topics";

describe("DLQ replay through the dispatcher", () => {
  let s: DispatcherScenario;
  let r: Receiver;
  let replayer: DlqReplayer;
  before(async () => {
    s = await DispatcherScenario.start({ name: "replay", schedule: "1s,1s", timeoutMs: 1000 });
    r = await Receiver.start();
    replayer = new DlqReplayer(s.kafka);
  });
  after(async () => {
    await replayer.close();
    await s.close();
    await r.close();
  });

  it("delivers a dead-lettered event once after the receiver recovers, with the same webhook-id", async () => {
    r.answer = () => ({ status: 500 });
    const secret = newSecret();
    const sub = await s.subscribe({ partnerId: "p_recovering", url: r.url, secrets: [{ secret, created_at: new Date().toISOString() }] });
    const record = await s.publish(sub, { important: true });
    await eventually("status failed", async () => ((await s.status(record))?.status === "failed" ? true : undefined), 20_000);
    await eventually("the DLQ topic", async () => ((await s.admin.listTopics()).includes(dlqTopic(s.type)) ? true : undefined));
    assert.equal(r.requests.length, 3);

    r.answer = () => ({ status: 200 });
    const replayed = await replayer.replay({ subscriptionId: sub.subscription_id, partnerId: sub.partner_id, eventType: s.eventType });
    assert.equal(replayed, 1);
    const st = await eventually("status succeeded", async () => ((await s.status(record))?.status === "succeeded" ? s.status(record) : undefined), 20_000);
    await sleep(1500);
    assert.equal(r.requests.length, 4);
    const delivered = r.requests[3]!;
    assert.equal(delivered.headers["webhook-id"], r.requests[0]!.headers["webhook-id"]);
    assert.doesNotThrow(() =>
      new Webhook(secret).verify(delivered.body, {
        "webhook-id": String(delivered.headers["webhook-id"]),
        "webhook-timestamp": String(delivered.headers["webhook-timestamp"]),
        "webhook-signature": String(delivered.headers["webhook-signature"]),
      }),
    );
    // Fresh attempt count: the replayed record is attempt 1 again, after the three that failed.
    assert.deepEqual(st!.attempts.map((a) => [a.attempt, a.result]), [
      [1, "http_error"],
      [2, "http_error"],
      [3, "http_error"],
      [1, "success"],
    ]);

    // A second replay of the same DLQ record sends nothing: the delivery already succeeded.
    assert.equal(await replayer.replay({ subscriptionId: sub.subscription_id, partnerId: sub.partner_id, eventType: s.eventType }), 1);
    await eventually("the replay skipped", async () => ((await s.metric("webhook_delivery_duplicates_skipped_total")) >= 1 ? true : undefined));
    assert.equal(r.requests.length, 4);
  });
});
