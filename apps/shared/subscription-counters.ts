// published_count, delivered_count and failed_count per subscription in
// event_subscription_kafka: one atomic ADD per subscription per call (the callers sum a Kafka
// batch first), through the process's group commit. Written before the batch's offsets are
// committed, so after a crash a re-read batch counts again: the counters are at-least-once,
// like the records.

import { itemIdentity, type ItemWriter } from "./item-writer";

export type SubscriptionCounter = "published_count" | "delivered_count" | "failed_count";

export async function addToCounters(writer: ItemWriter, table: string, counter: SubscriptionCounter, counts: ReadonlyMap<string, number>): Promise<void> {
  await Promise.all(
    [...counts].map(([subscriptionId, n]) =>
      writer.write({
        item: itemIdentity(table, subscriptionId),
        write: {
          Update: {
            TableName: table,
            Key: { subscription_id: subscriptionId },
            UpdateExpression: "ADD #c :n",
            ExpressionAttributeNames: { "#c": counter },
            ExpressionAttributeValues: { ":n": n },
          },
        },
      }),
    ),
  );
}
