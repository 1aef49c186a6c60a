// Producer batching, as pure logic: a recording producer stands in for kafkajs here; the real
// producer path is covered by gateway.test.ts on a real broker.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Producer, ProducerBatch } from "kafkajs";
import { BatchingPublisher, type OutgoingRecord } from "../../../apps/gateway/publisher";

/** A factory of recording producers: each records its batches and its connection state. */
function recordingProducer(outcome: (batch: ProducerBatch) => Promise<void> = async () => undefined) {
  const batches: ProducerBatch[] = [];
  const made: { id: number; connected: boolean; batches: number }[] = [];
  const producer = () => {
    const state = { id: made.length + 1, connected: false, batches: 0 };
    made.push(state);
    return {
      async connect() {
        state.connected = true;
      },
      async disconnect() {
        state.connected = false;
      },
      async sendBatch(batch: ProducerBatch) {
        batches.push(batch);
        state.batches += 1;
        await outcome(batch);
        return [];
      },
    } as unknown as Producer;
  };
  return { producer, batches, made };
}

const rec = (topic: string, key: string): OutgoingRecord => ({ topic, key, value: `{"k":"${key}"}`, headers: { event_id: key } });

describe("BatchingPublisher", () => {
  it("sends concurrent publishes within the linger as one sendBatch per topic with acks=all, in order", async () => {
    const { producer, batches } = recordingProducer();
    const publisher = new BatchingPublisher(producer, { lingerMs: 20 });
    await Promise.all([publisher.publish([rec("a", "1"), rec("b", "2")]), publisher.publish([rec("a", "3")]), publisher.publish([rec("b", "4")])]);
    assert.equal(batches.length, 2);
    assert.ok(batches.every((b) => b.acks === -1));
    assert.deepEqual(
      batches.map((b) => b.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)])).sort(),
      [[["a", ["1", "3"]]], [["b", ["2", "4"]]]],
    );
    assert.deepEqual(batches.find((b) => b.topicMessages![0]!.topic === "a")!.topicMessages![0]!.messages[0]!.headers, { event_id: "1" });
  });

  it("fails only the callers writing to a failing topic, and a caller spanning topics when any of its topics fails", async () => {
    const { producer } = recordingProducer(async (batch) => {
      if (batch.topicMessages![0]!.topic === "gone") throw new Error("UNKNOWN_TOPIC_OR_PARTITION");
    });
    const publisher = new BatchingPublisher(producer, { lingerMs: 10 });
    const results = await Promise.allSettled([publisher.publish([rec("a", "1")]), publisher.publish([rec("gone", "2")]), publisher.publish([rec("a", "3"), rec("gone", "4")])]);
    assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected"]);
  });

  it("does not resolve a caller before its batch is acknowledged", async () => {
    let ack!: () => void;
    const { producer } = recordingProducer(() => new Promise<void>((r) => (ack = r)));
    const publisher = new BatchingPublisher(producer, { lingerMs: 1 });
    let done = false;
    const pending = publisher.publish([rec("a", "1")]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(done, false);
    ack();
    await pending;
    assert.equal(done, true);
  });

  it("rejects every caller of a failed batch", async () => {
    const { producer } = recordingProducer(async () => {
      throw new Error("broker gone");
    });
    const publisher = new BatchingPublisher(producer, { lingerMs: 5 });
    const results = await Promise.allSettled([publisher.publish([rec("a", "1")]), publisher.publish([rec("a", "2")])]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /broker gone/);
  });

  it("sends through a new producer after a failed send, and disconnects the failed one", async () => {
    let fail = true;
    const { producer, made } = recordingProducer(async () => {
      if (fail) throw new Error("request timed out");
    });
    const publisher = new BatchingPublisher(producer, { lingerMs: 1 });
    await assert.rejects(publisher.publish([rec("a", "1")]), /timed out/);
    fail = false;
    await publisher.publish([rec("a", "1")]);
    assert.deepEqual(made.map((p) => [p.id, p.batches, p.connected]), [[1, 1, false], [2, 1, true]]);
    await publisher.close();
    assert.equal(made[1]!.connected, false);
  });

  it("flushes at once when maxBatchRecords are waiting, without waiting for the linger", async () => {
    const { producer, batches } = recordingProducer();
    const publisher = new BatchingPublisher(producer, { lingerMs: 10_000, maxBatchRecords: 3 });
    const started = Date.now();
    await publisher.publish([rec("a", "1"), rec("a", "2"), rec("a", "3")]);
    assert.ok(Date.now() - started < 1000);
    assert.equal(batches.length, 1);
  });

  it("flush() sends what waits and waits for batches in flight (shutdown)", async () => {
    const { producer, batches } = recordingProducer(() => new Promise((r) => setTimeout(r, 20)));
    const publisher = new BatchingPublisher(producer, { lingerMs: 10_000 });
    let done = false;
    void publisher.publish([rec("a", "1")]).then(() => (done = true));
    await publisher.flush();
    assert.equal(batches.length, 1);
    assert.equal(done, true);
  });
});
