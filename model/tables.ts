// The DynamoDB tables of the platform, declared once. The DataStore component builds them,
// the services read and write them, the local runner and the tests create them from here.
// Plain TypeScript: no Pulumi, no AWS SDK.

export type AttributeType = "S" | "N";

export interface TableIndex {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  /** ALL projects every attribute; KEYS_ONLY keeps the index small where items are fetched after. */
  readonly projection: "ALL" | "KEYS_ONLY";
}

export interface TableDefinition {
  /** The table's name, as the blueprint spells it. A deployment may put a prefix before it. */
  readonly name: string;
  readonly description: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  /** Types of every attribute used in a key of the table or of one of its indexes. */
  readonly attributes: Readonly<Record<string, AttributeType>>;
  readonly indexes: readonly TableIndex[];
  /** Attribute holding an epoch-seconds expiry, when the table has TTL on. */
  readonly ttlAttribute?: string;
}

export const tables = {
  /** Schema versions. Key `PRODUCER_DOMAIN#EVENT_NAME#VERSION`, e.g. `orders#created#2`. */
  eventSchema: {
    name: "event_schema",
    description: "Event schema versions per producer domain and event name",
    hashKey: "schema_id",
    attributes: { schema_id: "S", event_type: "S", version: "N", status: "S", contains_sensitive: "S" },
    indexes: [
      { name: "status-index", hashKey: "status", rangeKey: "schema_id", projection: "ALL" },
      { name: "contains_sensitive-index", hashKey: "contains_sensitive", rangeKey: "schema_id", projection: "KEYS_ONLY" },
      { name: "event_type-index", hashKey: "event_type", rangeKey: "version", projection: "ALL" },
    ],
  },
  /** Partner subscriptions. Key `PARTNER_ID#EVENT_SCHEMA_ID`, e.g. `acme#orders.created`. */
  partnerEventSubscription: {
    name: "partner_event_subscription",
    description: "Partner subscriptions to event types: delivery URL, signing secrets, status",
    hashKey: "subscription_key",
    attributes: { subscription_key: "S", subscription_id: "S", partner_id: "S", event_type: "S", status: "S" },
    indexes: [
      { name: "subscription_id-index", hashKey: "subscription_id", projection: "ALL" },
      { name: "partner_id-index", hashKey: "partner_id", rangeKey: "event_type", projection: "ALL" },
      { name: "event_type-index", hashKey: "event_type", rangeKey: "status", projection: "ALL" },
    ],
  },
  /** Per-subscription Kafka metadata and counters. Key `EVENT_SUBSCRIPTION_ID`. */
  eventSubscriptionKafka: {
    name: "event_subscription_kafka",
    description: "Egress topic metadata and success/failure counters per subscription",
    hashKey: "subscription_id",
    attributes: { subscription_id: "S" },
    indexes: [],
  },
  /** One item per event + subscription: every attempt and the final status. Key `WEBHOOK_EVENT_UUID`. */
  eventDeliveryStatus: {
    name: "event_delivery_status",
    description: "Delivery attempts and final status per event and subscription",
    hashKey: "event_id",
    rangeKey: "subscription_id",
    attributes: { event_id: "S", subscription_id: "S" },
    indexes: [],
  },
  /** Dedup of producer events (source + id) and of deliveries. Key `IDEMPOTENCY_KEY`, TTL 48 h by default. */
  idempotencyLedger: {
    name: "idempotency_ledger",
    description: "Idempotency keys with a time to live",
    hashKey: "idempotency_key",
    attributes: { idempotency_key: "S" },
    indexes: [],
    ttlAttribute: "expires_at",
  },
  /** Producer credentials: the SHA-256 of each API key, bound to one domain. The key itself is never stored. */
  producerApiKey: {
    name: "producer_api_key",
    description: "Producer API keys (hashed), each bound to one producer domain",
    hashKey: "api_key_hash",
    attributes: { api_key_hash: "S", producer_id: "S" },
    indexes: [{ name: "producer_id-index", hashKey: "producer_id", projection: "KEYS_ONLY" }],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof tables;

export const tableIds = Object.keys(tables) as TableId[];

/** The physical name of a table: a deployment (or a test) may set a prefix; AWS stacks use none. */
export function tableName(id: TableId, prefix = ""): string {
  return `${prefix}${tables[id].name}`;
}

/** Idempotency ledger time to live: the brief allows 24 to 72 hours. */
export const idempotencyTtlHours = { default: 48, min: 24, max: 72 } as const;

/** Values of `status` in event_schema. */
export const schemaStatuses = ["ACTIVE", "INACTIVE"] as const;
export type SchemaStatus = (typeof schemaStatuses)[number];

/** Values of `status` in partner_event_subscription. */
export const subscriptionStatuses = ["pending", "approved", "cancelled", "disabled"] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** Values of `status` in event_delivery_status. */
export const deliveryStatuses = ["pending", "succeeded", "retrying", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** `PRODUCER_DOMAIN#EVENT_NAME#VERSION` */
export function schemaId(domain: string, event: string, version: number): string {
  return `${domain}#${event}#${version}`;
}

/** `PARTNER_ID#EVENT_SCHEMA_ID`, the event schema being the event type `{domain}.{event}`. */
export function subscriptionKey(partnerId: string, eventType: string): string {
  return `${partnerId}#${eventType}`;
}
