// The shapes of the items in the tables and of the records on the ingress topics: the
// contract between the service that writes them and the services that read them.
// Attribute names are snake_case, as the table keys in tables.ts.

import type { DeliveryStatus, SchemaStatus, SubscriptionStatus } from "./tables";
import type { CompatibilityMode } from "./contracts";

/** producer_api_key: one item per API key; the key itself is never stored. */
export interface ProducerApiKeyItem {
  api_key_hash: string; // hex SHA-256 of the key
  producer_id: string; // "prd_<uuid>"
  domain: string;
  key_prefix: string; // first characters of the key, so an operator can tell keys apart
  created_at: string; // ISO 8601
}

/** event_schema: one item per schema version. */
export interface EventSchemaItem {
  schema_id: string; // schemaId(domain, event, version)
  event_type: string; // "{domain}.{event}"
  domain: string;
  event: string;
  version: number;
  status: SchemaStatus;
  contains_sensitive: "true" | "false";
  compatibility: CompatibilityMode;
  /** The JSON Schema, as canonical JSON text (keys sorted). */
  schema: string;
  /** hex SHA-256 of `schema`: equal fingerprints mean identical schemas. */
  fingerprint: string;
  created_at: string;
  /** Set when the registry is AWS Glue: the Glue SchemaVersionId of this version. */
  glue_schema_version_id?: string;
}

/** A signing secret of a subscription. Several are active while a rotated one overlaps. */
export interface SigningSecret {
  secret: string; // "whsec_<base64>"
  created_at: string;
  /** Absent for the current secret; set to rotation time + 24 h on the one it replaced. */
  expires_at?: string;
}

/** partner_event_subscription */
export interface SubscriptionItem {
  subscription_key: string; // subscriptionKey(partner_id, event_type)
  subscription_id: string; // "sub_<uuid>"
  partner_id: string;
  event_type: string;
  url: string;
  status: SubscriptionStatus;
  /** Newest first. */
  secrets: SigningSecret[];
  created_at: string;
  updated_at: string;
  /** Why the status last changed, e.g. "receiver answered 410". */
  status_reason?: string;
}

/** event_subscription_kafka */
export interface SubscriptionKafkaItem {
  subscription_id: string;
  topic: string;
  partitions: number;
  created_at: string;
  published_count?: number;
  delivered_count?: number;
  failed_count?: number;
}

export interface DeliveryAttempt {
  attempt: number; // 1-based
  at: string; // ISO 8601, when the attempt started
  status_code?: number; // absent when no response came
  duration_ms: number;
  /** Outcome class: "success", "http_error", "timeout", "connect", "dns", "tls", "refused_target", "circuit_open", "redirect", ... */
  result: string;
  error?: string;
}

/** event_delivery_status: one item per event + subscription. */
export interface DeliveryStatusItem {
  event_id: string;
  subscription_id: string;
  partner_id: string;
  event_type: string;
  webhook_id: string; // stable across retries of this event + subscription
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  next_attempt_at?: string;
  updated_at: string;
  /** Where the record of the latest attempt was read: topic, partition and offset. */
  kafka_topic?: string;
  kafka_partition?: number;
  kafka_offset?: string;
  /** Epoch ms: a dispatcher is attempting this delivery until then (released by the outcome write). */
  lease_until?: number;
}

/** idempotency_ledger */
export interface IdempotencyItem {
  idempotency_key: string; // e.g. "ingest#{source}#{id}"
  event_id: string;
  expires_at: number; // epoch seconds (DynamoDB TTL)
  created_at: string;
}

/**
 * The value of a record on `wh.ingress.{domain}.{event}`: the CloudEvent as the producer sent
 * it (structured mode), with what the gateway resolved. Key: the CloudEvent `partitionkey`
 * extension when present, else its `source`. Headers: see `kafkaHeaders` in topics.ts.
 */
export interface IngressRecord {
  eventId: string; // the platform's id, returned in the 202
  receivedAt: string; // ISO 8601
  schemaVersion: number; // the version the event was validated against
  event: {
    specversion: "1.0";
    id: string;
    source: string;
    type: string;
    time?: string;
    subject?: string;
    datacontenttype?: string;
    dataschema?: string;
    dataversion?: number;
    data?: unknown;
    [extension: string]: unknown;
  };
}

/**
 * The value of a record on `wh.egress.*`, `wh.retry.*` and `wh.dlq.*`: one event for one
 * subscription. The processor writes it; the dispatcher delivers `{ type, timestamp, data }`.
 * Key: the ingress record's key (partition key or source), so one source's events keep their
 * order per partner. Headers: event_id, subscription_id, traceparent; on retry and DLQ records
 * also `attempt` (attempts made so far) and `not_before` (epoch ms when the retry is due).
 */
export interface DeliveryRecord {
  eventId: string;
  subscriptionId: string;
  partnerId: string;
  eventType: string;
  /** When the gateway accepted the event (ISO 8601), for end-to-end latency. */
  receivedAt: string;
  /** The webhook body's fields. */
  type: string;
  timestamp: string;
  data: unknown;
}
