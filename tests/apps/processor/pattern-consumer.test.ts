import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Admin, Kafka, Producer } from "kafkajs";
import { kafka as testKafka, uniquePrefix } from "../../support/engines";
import { createTopic, eventually, silentLogger } from "../delivery/fixtures";
import { PatternConsumer } from "../../../apps/shared/pattern-consumer";
import { ingressTopic } from "../../../model/topics";

describe("PatternConsumer", () => {
  const domain = uniquePrefix("pattern").slice(0, -1);
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: PatternConsumer;
  const seen: string[] = [];
  const subscriptions: string[][] = [];

  before(async () => {
    kafka = testKafka("pattern-consumer-test");
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = new PatternConsumer({
      kafka,
      pattern: new RegExp(`^wh\\.ingress\\.${domain}\\.`),
      consumer: { groupId: `tests-${domain}`, sessionTimeout: 6000, heartbeatInterval: 600 },
      refreshMs: 300,
      logger: silentLogger,
      onSubscribed: (topics) => subscriptions.push([...topics]),
      run: () => ({ eachMessage: async ({ topic, message }) => void seen.push(`${topic}:${message.value?.toString()}`) }),
    });
    await consumer.start();
  });
  after(async () => {
    await consumer.stop();
    await producer.disconnect();
    await admin.disconnect();
  });

  it("starts with no matching topic and reads the first one once it exists, from its beginning", async () => {
    assert.deepEqual(consumer.subscribedTopics(), []);
    const first = await createTopic(admin, ingressTopic({ domain, event: "a" }), "ingress", 1);
    await producer.send({ topic: first, messages: [{ value: "one" }] });
    await eventually("the record of the first topic", () => (seen.includes(`${first}:one`) ? true : undefined), 30_000);
  });

  it("adds a second topic without reading the first one again", async () => {
    const first = ingressTopic({ domain, event: "a" });
    const second = await createTopic(admin, ingressTopic({ domain, event: "b" }), "ingress", 1);
    await producer.send({ topic: second, messages: [{ value: "two" }] });
    await producer.send({ topic: first, messages: [{ value: "three" }] });
    await eventually("records of both topics", () => (seen.includes(`${second}:two`) && seen.includes(`${first}:three`) ? true : undefined), 30_000);
    assert.deepEqual(subscriptions.at(-1), [first, second]);
    // eachMessage commits as it goes (autoCommit), so the switch re-reads nothing already committed.
    assert.equal(seen.filter((s) => s === `${first}:one`).length, 1);
  });
});
