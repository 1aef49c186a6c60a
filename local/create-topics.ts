// The topics a local platform needs before any request: per event type of the contracts its
// ingress topic and its DLQ, and one topic per retry delay tier. Egress topics belong to
// partner subscriptions; the admin API creates them. Settings (retention) come from the model
// through the same ensureTopic the services use.
import type { Admin } from "kafkajs";
import { ingressTopic, dlqTopic, type EventType, type TopicKind } from "../model/topics";
import { ensureTopic, type EnsureOutcome, type TopicSizing } from "../apps/shared/topic-admin";
import { retryTopics, type RetrySchedule } from "../apps/dispatcher/schedule";

export interface TopicPlan {
  /** Event types `{domain}.{event}`, e.g. those of the contracts in contracts/. */
  readonly eventTypes: readonly EventType[];
  readonly retrySchedule: RetrySchedule;
  readonly sizing: TopicSizing;
}

export interface PlannedTopic {
  readonly topic: string;
  readonly kind: TopicKind;
}

/** Every topic of the plan once, ingress and DLQ per event type, then the retry tiers. */
export function plannedTopics(plan: TopicPlan): PlannedTopic[] {
  const topics = new Map<string, TopicKind>();
  for (const type of plan.eventTypes) {
    topics.set(ingressTopic(type), "ingress");
    topics.set(dlqTopic(type), "dlq");
  }
  for (const topic of retryTopics(plan.retrySchedule)) topics.set(topic, "retry");
  return [...topics].map(([topic, kind]) => ({ topic, kind }));
}

export interface TopicsReport {
  readonly created: string[];
  readonly existing: string[];
}

/** Creates the plan's topics that are missing; existing topics are left as they are. */
export async function createTopics(admin: Admin, plan: TopicPlan): Promise<TopicsReport> {
  const planned = plannedTopics(plan);
  const outcomes: EnsureOutcome[] = [];
  // One at a time: a single-node broker answers a burst of CreateTopics no faster, and the
  // errors stay attributable to one topic.
  for (const { topic, kind } of planned) {
    try {
      outcomes.push(await ensureTopic(admin, topic, kind, plan.sizing));
    } catch (error) {
      throw new Error(`creating ${kind} topic ${topic} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    created: planned.filter((_, i) => outcomes[i] === "created").map((p) => p.topic),
    existing: planned.filter((_, i) => outcomes[i] === "exists").map((p) => p.topic),
  };
}
