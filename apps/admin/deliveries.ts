// Delivery status of one event, per subscription, as the dispatcher records it in
// event_delivery_status: the status and every attempt.

import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { DeliveryStatusItem } from "../../model/records";
import type { DeliveryStatus } from "../../model/tables";

export interface DeliveryView {
  subscriptionId: string;
  partnerId: string;
  eventType: string;
  webhookId: string;
  status: DeliveryStatus;
  nextAttemptAt?: string;
  updatedAt: string;
  attempts: {
    attempt: number;
    at: string;
    statusCode: number | null;
    durationMs: number;
    result: string;
    error: string | null;
  }[];
}

export class DeliveryStatusReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async forEvent(eventId: string): Promise<DeliveryView[]> {
    const items: DeliveryStatusItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "event_id = :id",
          ExpressionAttributeValues: { ":id": eventId },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as DeliveryStatusItem[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items.map(toView);
  }
}

function toView(item: DeliveryStatusItem): DeliveryView {
  return {
    subscriptionId: item.subscription_id,
    partnerId: item.partner_id,
    eventType: item.event_type,
    webhookId: item.webhook_id,
    status: item.status,
    ...(item.next_attempt_at ? { nextAttemptAt: item.next_attempt_at } : {}),
    updatedAt: item.updated_at,
    attempts: [...(item.attempts ?? [])]
      .sort((a, b) => a.attempt - b.attempt)
      .map((a) => ({
        attempt: a.attempt,
        at: a.at,
        statusCode: a.status_code ?? null,
        durationMs: a.duration_ms,
        result: a.result,
        error: a.error ?? null,
      })),
  };
}
