// published_count per subscription in event_subscription_kafka: one atomic ADD per
// subscription per batch. Written before the batch's offsets are committed, so after a crash
// a re-read batch counts again: the counters are at-least-once, like the records.

import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type SubscriptionCounter = "published_count" | "delivered_count" | "failed_count";

export async function addToCounters(doc: DynamoDBDocumentClient, table: string, counter: SubscriptionCounter, counts: ReadonlyMap<string, number>): Promise<void> {
  await Promise.all(
    [...counts].map(([subscriptionId, n]) =>
      doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { subscription_id: subscriptionId },
          UpdateExpression: "ADD #c :n",
          ExpressionAttributeNames: { "#c": counter },
          ExpressionAttributeValues: { ":n": n },
        }),
      ),
    ),
  );
}
