// Approved subscriptions of an event type: partner_event_subscription through its
// `event_type-index` (hash event_type, range status), so one Query returns exactly the
// approved ones.
//
// Cached per event type for SUBSCRIPTION_CACHE_TTL_MS (5 s by default): at thousands of
// events per second the table is read a few times per type per TTL, not once per event.
// Invalidation: the admin API writes subscriptions in another process, so the TTL bounds how
// long a change goes unseen here; a newly approved subscription gets events at most one TTL
// late. The other direction is closed at delivery: the dispatcher reads the subscription
// again before each attempt and does not deliver to one no longer approved, so a cancelled
// subscription never receives an event because of this cache. In-process changes call
// invalidate().

import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SubscriptionItem } from "../../model/records";
import { tables } from "../../model/tables";
import { TtlCache } from "../shared/ttl-cache";

export type ApprovedSubscriptions = TtlCache<string, SubscriptionItem[]>;

const approved: SubscriptionItem["status"] = "approved";

export async function queryApprovedSubscriptions(doc: DynamoDBDocumentClient, table: string, eventType: string): Promise<SubscriptionItem[]> {
  const index = tables.partnerEventSubscription.indexes.find((i) => i.name === "event_type-index")!;
  const items: SubscriptionItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression: "#t = :t AND #s = :s",
        ExpressionAttributeNames: { "#t": index.hashKey, "#s": index.rangeKey! },
        ExpressionAttributeValues: { ":t": eventType, ":s": approved },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as SubscriptionItem[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export function approvedSubscriptions(doc: DynamoDBDocumentClient, table: string, ttlMs: number): ApprovedSubscriptions {
  return new TtlCache(ttlMs, (eventType: string) => queryApprovedSubscriptions(doc, table, eventType));
}
