// Kafka topic names, their settings, the consumer groups and the cluster each topic lives on.
// Declared once; used by the Pulumi components (IAM), the services, the local runner and the tests.

/** MSK clusters by role. Stack config may map both roles onto one physical cluster. */
export const clusterRoles = ["ingress", "egress"] as const;
export type ClusterRole = (typeof clusterRoles)[number];

export type TopicKind = "ingress" | "egress" | "retry" | "dlq";

export interface TopicKindSpec {
  readonly prefix: string;
  readonly cluster: ClusterRole;
  readonly retentionMs: number;
  readonly description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const topicKinds: Readonly<Record<TopicKind, TopicKindSpec>> = {
  ingress: { prefix: "wh.ingress.", cluster: "ingress", retentionMs: 7 * DAY_MS, description: "validated producer events, wh.ingress.{domain}.{event}" },
  egress: { prefix: "wh.egress.", cluster: "egress", retentionMs: 7 * DAY_MS, description: "per-partner deliveries, wh.egress.{partner}.{domain}.{event}" },
  retry: { prefix: "wh.retry.", cluster: "egress", retentionMs: 14 * DAY_MS, description: "one topic per retry delay tier, wh.retry.{delay}" },
  dlq: { prefix: "wh.dlq.", cluster: "egress", retentionMs: 30 * DAY_MS, description: "deliveries that used every attempt, wh.dlq.{domain}.{event}" },
};

/** Default partition count of new topics; stack config and service config may change it. */
export const defaultPartitions = 6;

/**
 * A name segment (domain, event name, partner id): lower case, starts with a letter or digit,
 * then letters, digits, `_` or `-`. No dots, so `{domain}.{event}` splits without ambiguity,
 * and every character is legal in a Kafka topic name.
 */
export const nameSegmentPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isNameSegment(value: string): boolean {
  return nameSegmentPattern.test(value);
}

/** An event type is `{domain}.{event}`, as in the CloudEvent `type` attribute. */
export interface EventType {
  readonly domain: string;
  readonly event: string;
}

export function parseEventType(type: string): EventType | undefined {
  const parts = type.split(".");
  if (parts.length !== 2) return undefined;
  const [domain, event] = parts as [string, string];
  return isNameSegment(domain) && isNameSegment(event) ? { domain, event } : undefined;
}

export function formatEventType(t: EventType): string {
  return `${t.domain}.${t.event}`;
}

function checked(segment: string, what: string): string {
  if (!isNameSegment(segment)) throw new Error(`invalid ${what} "${segment}": expected ${nameSegmentPattern}`);
  return segment;
}

/** `wh.ingress.{domain}.{event}` */
export function ingressTopic(t: EventType): string {
  return `${topicKinds.ingress.prefix}${checked(t.domain, "domain")}.${checked(t.event, "event name")}`;
}

/** `wh.egress.{partner}.{domain}.{event}`: the brief's `{event}` is the full event type. */
export function egressTopic(partnerId: string, t: EventType): string {
  return `${topicKinds.egress.prefix}${checked(partnerId, "partner id")}.${checked(t.domain, "domain")}.${checked(t.event, "event name")}`;
}

/** `wh.dlq.{domain}.{event}` */
export function dlqTopic(t: EventType): string {
  return `${topicKinds.dlq.prefix}${checked(t.domain, "domain")}.${checked(t.event, "event name")}`;
}

/** `wh.retry.{delay}`, e.g. `wh.retry.5m`: one topic per delay tier, so no retry waits behind one due later. */
export function retryTopic(delayLabel: string): string {
  if (!/^[0-9]+(ms|s|m|h|d)$/.test(delayLabel)) throw new Error(`invalid retry tier label "${delayLabel}"`);
  return `${topicKinds.retry.prefix}${delayLabel}`;
}

/** Which kind a topic name belongs to, or undefined for a topic that is not the platform's. */
export function topicKindOf(topic: string): TopicKind | undefined {
  return (Object.keys(topicKinds) as TopicKind[]).find((k) => topic.startsWith(topicKinds[k].prefix));
}

/** Regular expression matching every topic of a kind: consumers subscribe by pattern so new topics are picked up. */
export function topicPattern(kind: TopicKind): RegExp {
  return new RegExp(`^${topicKinds[kind].prefix.replace(/\./g, "\\.")}.+`);
}

/** Consumer groups, by the service that owns them. */
export const consumerGroups = {
  processor: "webhooks-processor",
  dispatcher: "webhooks-dispatcher",
  dispatcherRetry: "webhooks-dispatcher-retry",
  adminReplay: "webhooks-admin-replay",
} as const;


/** Kafka headers the platform writes on its records. */
export const kafkaHeaders = {
  ceId: "ce_id",
  ceSource: "ce_source",
  ceType: "ce_type",
  ceSpecVersion: "ce_specversion",
  ceTime: "ce_time",
  ceDataVersion: "ce_dataversion",
  contentType: "content-type",
  eventId: "event_id",
  traceparent: "traceparent",
  tracestate: "tracestate",
  subscriptionId: "subscription_id",
  attempt: "attempt",
  notBefore: "not_before",
} as const;
