// event_delivery_status: one item per event + subscription, every attempt appended.
//
// The idempotency of delivery lives here. Before an attempt the dispatcher "claims" the
// item with a conditional write that fails when the status is already `succeeded`; a
// replayed record (a re-read batch after a crash, a duplicate egress record, a DLQ replay of
// a delivery that succeeded meanwhile) then sends no request. Outcomes are written with the
// same condition, so a slower duplicate can never turn `succeeded` back into `retrying`.

import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { DeliveryAttempt, DeliveryRecord } from "../../model/records";
import type { DeliveryStatus } from "../../model/tables";

export interface RecordSource {
  topic: string;
  partition: number;
  offset: string;
}

export type ClaimResult = "claimed" | "already_succeeded";
export type WriteResult = "written" | "already_succeeded";

export interface DeliveryStatusStore {
  claim(record: DeliveryRecord, webhookId: string, source: RecordSource): Promise<ClaimResult>;
  recordAttempt(record: DeliveryRecord, attempt: DeliveryAttempt, status: DeliveryStatus, nextAttemptAt?: Date): Promise<WriteResult>;
}

const succeeded: DeliveryStatus = "succeeded";

export class DynamoDeliveryStatusStore implements DeliveryStatusStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(record: DeliveryRecord, webhookId: string, source: RecordSource): Promise<ClaimResult> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { event_id: record.eventId, subscription_id: record.subscriptionId },
        UpdateExpression:
          "SET partner_id = :p, event_type = :t, webhook_id = :w, updated_at = :now, kafka_topic = :topic, kafka_partition = :partition, kafka_offset = :offset, " +
          "#s = if_not_exists(#s, :pending), attempts = if_not_exists(attempts, :none)",
        ConditionExpression: "attribute_not_exists(event_id) OR #s <> :succeeded",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":p": record.partnerId,
          ":t": record.eventType,
          ":w": webhookId,
          ":now": new Date().toISOString(),
          ":topic": source.topic,
          ":partition": source.partition,
          ":offset": source.offset,
          ":pending": "pending",
          ":none": [],
          ":succeeded": succeeded,
        },
      }),
    ).then((r) => (r === "written" ? "claimed" : r));
  }

  async recordAttempt(record: DeliveryRecord, attempt: DeliveryAttempt, status: DeliveryStatus, nextAttemptAt?: Date): Promise<WriteResult> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { event_id: record.eventId, subscription_id: record.subscriptionId },
        UpdateExpression:
          "SET #s = :s, attempts = list_append(if_not_exists(attempts, :none), :a), updated_at = :now" +
          (nextAttemptAt ? ", next_attempt_at = :next" : " REMOVE next_attempt_at"),
        ConditionExpression: "attribute_not_exists(event_id) OR #s <> :succeeded",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":s": status,
          ":a": [attempt],
          ":none": [],
          ":now": new Date().toISOString(),
          ":succeeded": succeeded,
          ...(nextAttemptAt ? { ":next": nextAttemptAt.toISOString() } : {}),
        },
      }),
    );
  }

  private async conditional(command: UpdateCommand): Promise<WriteResult> {
    try {
      await this.doc.send(command);
      return "written";
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return "already_succeeded";
      throw err;
    }
  }
}
