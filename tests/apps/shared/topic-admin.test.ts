// ensureTopic on the run's Kafka broker: settings from the topic kind, idempotent.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConfigResourceTypes, type Admin } from "kafkajs";
import { dlqTopic, egressTopic, topicKinds } from "../../../model/topics";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { kafka, uniquePrefix } from "../../support/engines";

describe("ensureTopic on Kafka", () => {
  let admin: Admin;
  before(async () => {
    admin = kafka("topic-admin-test").admin();
    await admin.connect();
  });
  after(async () => admin?.disconnect());

  async function retentionOf(topic: string): Promise<string | undefined> {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms"] }] });
    return described.resources[0]!.configEntries.find((e) => e.configName === "retention.ms")?.configValue;
  }

  it("creates a topic with the given partitions and the kind's retention, then reports it exists", async () => {
    const segment = uniquePrefix("topics").replace(/_$/, "");
    const topic = dlqTopic({ domain: segment, event: "created" });
    assert.equal(await ensureTopic(admin, topic, "dlq", { partitions: 4, replicationFactor: 1 }), "created");
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(metadata.topics[0]!.partitions.length, 4);
    assert.equal(await retentionOf(topic), String(topicKinds.dlq.retentionMs));
    assert.equal(await ensureTopic(admin, topic, "dlq", { partitions: 4, replicationFactor: 1 }), "exists");
  });

  it("treats concurrent creations of one topic as success for every caller", async () => {
    const segment = uniquePrefix("race").replace(/_$/, "");
    const topic = egressTopic(segment, { domain: "orders", event: "created" });
    const outcomes = await Promise.all([1, 2, 3].map(() => ensureTopic(admin, topic, "egress", { partitions: 2, replicationFactor: 1 })));
    assert.ok(outcomes.includes("created") || outcomes.every((o) => o === "exists"));
    assert.equal(await retentionOf(topic), String(topicKinds.egress.retentionMs));
  });

  it("refuses a topic name that is not of the kind it is created as", async () => {
    await assert.rejects(ensureTopic(admin, "wh.egress.acme.orders.created", "ingress", { partitions: 1, replicationFactor: 1 }), /is not a ingress topic \(expected prefix wh\.ingress\.\)/);
  });

  it("fails naming the topic, its sizing and the broker's reason when the replication factor exceeds the brokers", async () => {
    const topic = dlqTopic({ domain: uniquePrefix("rf").replace(/_$/, ""), event: "x" });
    await assert.rejects(ensureTopic(admin, topic, "dlq", { partitions: 1, replicationFactor: 3 }), (err: Error) => {
      assert.equal(err.message, `creating topic ${topic} (1 partitions, replication factor 3) failed: INVALID_REPLICATION_FACTOR: Replication-factor is invalid`);
      return true;
    });
  });
});
