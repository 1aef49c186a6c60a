// Topic creation for the services that create topics (admin: ingress and egress; dispatcher:
// retry and DLQ). Settings come from the topic kind in model/topics.ts; creating a topic that
// already exists is not an error, so every caller may simply "ensure" the topic it needs.

import type { Admin } from "kafkajs";
import { topicKindOf, topicKinds, type TopicKind } from "../../model/topics";

export interface TopicSizing {
  partitions: number;
  replicationFactor: number;
}

export type EnsureOutcome = "created" | "exists";

export async function ensureTopic(admin: Admin, topic: string, kind: TopicKind, sizing: TopicSizing): Promise<EnsureOutcome> {
  if (topicKindOf(topic) !== kind) throw new Error(`topic "${topic}" is not a ${kind} topic (expected prefix ${topicKinds[kind].prefix})`);
  try {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: sizing.partitions,
          replicationFactor: sizing.replicationFactor,
          configEntries: [{ name: "retention.ms", value: String(topicKinds[kind].retentionMs) }],
        },
      ],
    });
    return created ? "created" : "exists";
  } catch (err) {
    // Two callers racing on the same topic: the loser sees TOPIC_ALREADY_EXISTS from the broker.
    if (isTopicAlreadyExists(err)) return "exists";
    // The topic was created, but kafkajs stopped waiting for its leaders before a busy broker
    // elected them: wait on, bounded, rather than fail a topic that exists.
    if (isLeaderNotYetKnown(err)) {
      await waitForLeaders(admin, topic, leaderWaitMs);
      return "created";
    }
    throw new Error(`creating topic ${topic} (${sizing.partitions} partitions, replication factor ${sizing.replicationFactor}) failed: ${describe(err)}`, { cause: err });
  }
}

const leaderWaitMs = 30_000;

function isLeaderNotYetKnown(err: unknown): boolean {
  const e = err as { type?: string };
  return e?.type === "UNKNOWN_TOPIC_OR_PARTITION" || e?.type === "LEADER_NOT_AVAILABLE";
}

async function waitForLeaders(admin: Admin, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
    } catch (err) {
      if (!isLeaderNotYetKnown(err)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader for every partition after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function isTopicAlreadyExists(err: unknown): boolean {
  const e = err as { type?: string; errors?: { type?: string }[] };
  if (e?.type === "TOPIC_ALREADY_EXISTS") return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every((x) => x.type === "TOPIC_ALREADY_EXISTS");
}

/** kafkajs reports per-topic failures inside an aggregate whose own message says little. */
function describe(err: unknown): string {
  const e = err as { message?: string; errors?: { type?: string; message?: string }[] };
  if (Array.isArray(e?.errors) && e.errors.length > 0) return e.errors.map((x) => `${x.type ?? "error"}: ${x.message ?? ""}`).join("; ");
  return e?.message ?? String(err);
}
