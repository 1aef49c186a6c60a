import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConfigResourceTypes, type Admin } from "kafkajs";
import { dlqTopic, ingressTopic, topicKinds, type EventType } from "../../model/topics";
import { parseRetrySchedule } from "../../apps/dispatcher/schedule";
import { createTopics, plannedTopics, type TopicPlan } from "../../local/create-topics";
import { kafka, uniquePrefix } from "../support/engines";

describe("createTopics on the run's Kafka broker", () => {
  let admin: Admin;
  const domain = uniquePrefix("topics").replace(/_$/, "");
  const types: EventType[] = [
    { domain, event: "created" },
    { domain, event: "cancelled" },
  ];
  // Delays no other test uses, so the retry topics are this file's own.
  const retryLabels = [`${1000 + Math.floor(Math.random() * 8000)}ms`, "97s"];
  const plan: TopicPlan = {
    eventTypes: types,
    retrySchedule: parseRetrySchedule(`${retryLabels.join(",")},97s`),
    sizing: { partitions: 3, replicationFactor: 1 },
  };

  before(async () => {
    admin = kafka("create-topics-test").admin();
    await admin.connect();
  });

  after(async () => {
    await admin.disconnect();
  });

  it("plans ingress and DLQ per event type and one topic per distinct retry delay", () => {
    assert.deepEqual(
      plannedTopics(plan).map((p) => `${p.kind} ${p.topic}`),
      [
        `ingress ${ingressTopic(types[0]!)}`,
        `dlq ${dlqTopic(types[0]!)}`,
        `ingress ${ingressTopic(types[1]!)}`,
        `dlq ${dlqTopic(types[1]!)}`,
        `retry wh.retry.${retryLabels[0]}`,
        "retry wh.retry.97s",
      ],
    );
  });

  it("creates every planned topic with the partitions asked for and its kind's retention, then reports them as existing", async () => {
    const first = await createTopics(admin, plan);
    const planned = plannedTopics(plan);
    const own = planned.filter((p) => p.topic !== "wh.retry.97s").map((p) => p.topic);
    for (const topic of own) assert.ok(first.created.includes(topic), `${topic} created`);

    const metadata = await admin.fetchTopicMetadata({ topics: planned.map((p) => p.topic) });
    for (const topic of metadata.topics) assert.equal(topic.partitions.length, 3, `${topic.name} partitions`);

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: planned.map((p) => ({ type: ConfigResourceTypes.TOPIC, name: p.topic, configNames: ["retention.ms"] })),
    });
    for (const resource of configs.resources) {
      const kind = planned.find((p) => p.topic === resource.resourceName)!.kind;
      const retention = resource.configEntries.find((e) => e.configName === "retention.ms")?.configValue;
      assert.equal(retention, String(topicKinds[kind].retentionMs), `${resource.resourceName} retention`);
    }

    const second = await createTopics(admin, plan);
    assert.deepEqual(second.created, []);
    assert.deepEqual(second.existing.sort(), planned.map((p) => p.topic).sort());
  });

  it("names the event type's fault when a domain is not a valid name segment", async () => {
    await assert.rejects(
      createTopics(admin, { ...plan, eventTypes: [{ domain: "Bad.Domain", event: "created" }] }),
      /invalid domain "Bad.Domain"/,
    );
  });
});
