// What each service may touch: topics, consumer groups, tables and indexes, the schema
// registry and secrets. The Services component turns this into least-privilege IAM policies
// (exact ARNs, never `*` on a data action); the charts and the runbook name the same things.

import type { ClusterRole, TopicKind } from "./topics";
import { consumerGroups } from "./topics";
import type { TableId } from "./tables";
import type { SecretId } from "./secrets";

export const serviceNames = ["gateway", "admin", "processor", "dispatcher"] as const;
export type ServiceName = (typeof serviceNames)[number];

/** read: consume; write: produce; create: create topics of the kind; describe is implied by each. */
export type TopicAction = "read" | "write" | "create";

export interface TopicAccess {
  readonly kind: TopicKind;
  readonly actions: readonly TopicAction[];
}

export interface KafkaAccess {
  readonly cluster: ClusterRole;
  readonly topics: readonly TopicAccess[];
  /** Consumer group names (exact, or a prefix when ending in `*`). */
  readonly groups: readonly string[];
}

export interface TableAccess {
  readonly table: TableId;
  readonly access: "read" | "readWrite";
  /** Index names the service queries. */
  readonly indexes: readonly string[];
}

export interface ServiceAccess {
  readonly description: string;
  readonly kafka: readonly KafkaAccess[];
  readonly tables: readonly TableAccess[];
  readonly schemaRegistry: "none" | "read" | "readWrite";
  readonly secrets: readonly SecretId[];
}

export const serviceAccess: Readonly<Record<ServiceName, ServiceAccess>> = {
  gateway: {
    description: "CloudEvents in, schema-validated, into the ingress topics",
    kafka: [{ cluster: "ingress", topics: [{ kind: "ingress", actions: ["write"] }], groups: [] }],
    tables: [
      { table: "producerApiKey", access: "read", indexes: [] },
      { table: "eventSchema", access: "read", indexes: ["event_type-index"] },
      { table: "idempotencyLedger", access: "readWrite", indexes: [] },
    ],
    schemaRegistry: "read",
    secrets: [],
  },
  admin: {
    description: "Schemas, producers, partner subscriptions, delivery status, DLQ replay",
    kafka: [
      { cluster: "ingress", topics: [{ kind: "ingress", actions: ["create"] }], groups: [] },
      {
        cluster: "egress",
        topics: [
          { kind: "egress", actions: ["create", "write"] },
          { kind: "dlq", actions: ["create", "read"] },
        ],
        groups: [`${consumerGroups.adminReplay}*`],
      },
    ],
    tables: [
      { table: "producerApiKey", access: "readWrite", indexes: ["producer_id-index"] },
      { table: "eventSchema", access: "readWrite", indexes: ["event_type-index", "status-index"] },
      { table: "partnerEventSubscription", access: "readWrite", indexes: ["subscription_id-index", "partner_id-index"] },
      { table: "eventSubscriptionKafka", access: "readWrite", indexes: [] },
      { table: "eventDeliveryStatus", access: "read", indexes: [] },
    ],
    schemaRegistry: "readWrite",
    secrets: ["adminToken"],
  },
  processor: {
    description: "Ingress to per-partner egress topics, one record per approved subscription",
    kafka: [
      { cluster: "ingress", topics: [{ kind: "ingress", actions: ["read"] }], groups: [consumerGroups.processor] },
      // Idempotent produce with commit after ack, not transactions (see apps/processor/README.md).
      { cluster: "egress", topics: [{ kind: "egress", actions: ["write"] }], groups: [] },
    ],
    tables: [
      { table: "partnerEventSubscription", access: "read", indexes: ["event_type-index"] },
      { table: "eventSubscriptionKafka", access: "readWrite", indexes: [] },
    ],
    schemaRegistry: "none",
    secrets: [],
  },
  dispatcher: {
    description: "Signed webhook delivery with retry tiers, DLQ and circuit breaker",
    kafka: [
      {
        cluster: "egress",
        topics: [
          { kind: "egress", actions: ["read"] },
          { kind: "retry", actions: ["create", "read", "write"] },
          { kind: "dlq", actions: ["create", "write"] },
        ],
        groups: [consumerGroups.dispatcher, `${consumerGroups.dispatcherRetry}*`],
      },
    ],
    tables: [
      { table: "partnerEventSubscription", access: "readWrite", indexes: ["subscription_id-index"] },
      { table: "eventSubscriptionKafka", access: "readWrite", indexes: [] },
      { table: "eventDeliveryStatus", access: "readWrite", indexes: [] },
    ],
    schemaRegistry: "none",
    secrets: [],
  },
};
