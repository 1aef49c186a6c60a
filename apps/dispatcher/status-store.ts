// event_delivery_status: one item per event + subscription, every attempt appended.
//
// The idempotency of delivery lives here. Before an attempt the dispatcher "claims" the
// item with a conditional write that fails when the status is already `succeeded`; a
// replayed record (a re-read batch after a crash, a duplicate egress record, a DLQ replay of
// a delivery that succeeded meanwhile) then sends no request. Outcomes are written with the
// same condition, so a slower duplicate can never turn `succeeded` back into `retrying`.
//
// The claim also takes a short lease (`lease_until`, epoch ms: the attempt's timeout plus a
// margin), released by the outcome write. A second claim of the same pair while the lease is
// live (the partition moved to another instance in a rebalance while the first was still
// sending) is told to wait for it, so the two never send at the same time; if the holder
// died, its lease simply runs out.
//
// Writes are group-committed: claims and outcomes go through the process's `ItemWriter`
// (one TransactWriteItems carries the writes of many deliveries), each write keeping its own
// condition, so a failed condition answers only its own delivery. Writes to one pair never
// share a transaction and land in the order they were made.

import type { DeliveryAttempt, DeliveryRecord } from "../../model/records";
import type { DeliveryStatus } from "../../model/tables";
import { itemIdentity, type ItemWriter, type TransactWrite } from "../shared/item-writer";

export interface RecordSource {
  topic: string;
  partition: number;
  offset: string;
}

export type ClaimResult = { kind: "claimed" } | { kind: "already_succeeded" } | { kind: "leased"; untilMs: number };
export type WriteResult = "written" | "already_succeeded";

export interface DeliveryStatusStore {
  /** Claims the pair for one attempt, holding it for `leaseMs`. */
  claim(record: DeliveryRecord, webhookId: string, source: RecordSource, leaseMs: number): Promise<ClaimResult>;
  /** Appends the attempt, sets the status and releases the lease. */
  recordAttempt(record: DeliveryRecord, attempt: DeliveryAttempt, status: DeliveryStatus, nextAttemptAt?: Date): Promise<WriteResult>;
}

const succeeded: DeliveryStatus = "succeeded";

export class DynamoDeliveryStatusStore implements DeliveryStatusStore {
  constructor(
    private readonly writer: ItemWriter,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(record: DeliveryRecord, webhookId: string, source: RecordSource, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    const outcome = await this.update(record, {
      UpdateExpression:
        "SET partner_id = :p, event_type = :t, webhook_id = :w, updated_at = :updated, kafka_topic = :topic, kafka_partition = :partition, kafka_offset = :offset, " +
        "lease_until = :lease, #s = if_not_exists(#s, :pending), attempts = if_not_exists(attempts, :none)",
      ConditionExpression: "attribute_not_exists(event_id) OR (#s <> :succeeded AND (attribute_not_exists(lease_until) OR lease_until < :now))",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: {
        ":p": record.partnerId,
        ":t": record.eventType,
        ":w": webhookId,
        ":updated": new Date(now).toISOString(),
        ":topic": source.topic,
        ":partition": source.partition,
        ":offset": source.offset,
        ":lease": now + leaseMs,
        ":now": now,
        ":pending": "pending",
        ":none": [],
        ":succeeded": succeeded,
      },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    if (outcome.kind === "written") return { kind: "claimed" };
    const old = outcome.old as { status?: unknown; lease_until?: unknown } | undefined;
    if (old?.status === succeeded) return { kind: "already_succeeded" };
    return { kind: "leased", untilMs: typeof old?.lease_until === "number" ? old.lease_until : now };
  }

  async recordAttempt(record: DeliveryRecord, attempt: DeliveryAttempt, status: DeliveryStatus, nextAttemptAt?: Date): Promise<WriteResult> {
    const outcome = await this.update(record, {
      UpdateExpression:
        "SET #s = :s, attempts = list_append(if_not_exists(attempts, :none), :a), updated_at = :updated" +
        (nextAttemptAt ? ", next_attempt_at = :next REMOVE lease_until" : " REMOVE lease_until, next_attempt_at"),
      ConditionExpression: "attribute_not_exists(event_id) OR #s <> :succeeded",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: {
        ":s": status,
        ":a": [attempt],
        ":none": [],
        ":updated": new Date(this.now()).toISOString(),
        ":succeeded": succeeded,
        ...(nextAttemptAt ? { ":next": nextAttemptAt.toISOString() } : {}),
      },
    });
    return outcome.kind === "written" ? "written" : "already_succeeded";
  }

  /** One conditional update of the pair's item, through the process's writer. */
  private update(record: DeliveryRecord, update: Omit<NonNullable<TransactWrite["Update"]>, "TableName" | "Key">) {
    return this.writer.write({
      item: itemIdentity(this.table, record.eventId, record.subscriptionId),
      write: { Update: { TableName: this.table, Key: { event_id: record.eventId, subscription_id: record.subscriptionId }, ...update } },
    });
  }
}
