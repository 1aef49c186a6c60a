// The subscription a delivery goes to, by id (partner_event_subscription's
// `subscription_id-index`), cached for SUBSCRIPTION_CACHE_TTL_MS: a rotated secret or a
// cancellation made through the admin API takes effect within one TTL. A 410 from the
// receiver disables the subscription here and drops it from the cache at once.

import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { SubscriptionItem } from "../../model/records";
import { tables } from "../../model/tables";
import { TtlCache } from "../shared/ttl-cache";

export interface SubscriptionDirectory {
  get(subscriptionId: string): Promise<SubscriptionItem | undefined>;
  /** Sets an approved subscription `disabled`, with the reason; leaves other statuses alone. */
  disable(subscription: SubscriptionItem, reason: string): Promise<void>;
}

export class DynamoSubscriptionDirectory implements SubscriptionDirectory {
  private readonly cache: TtlCache<string, SubscriptionItem | undefined>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs, (id) => this.load(id));
  }

  get(subscriptionId: string): Promise<SubscriptionItem | undefined> {
    return this.cache.get(subscriptionId);
  }

  private async load(subscriptionId: string): Promise<SubscriptionItem | undefined> {
    const index = tables.partnerEventSubscription.indexes.find((i) => i.name === "subscription_id-index")!;
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index.name,
        KeyConditionExpression: "#id = :id",
        ExpressionAttributeNames: { "#id": index.hashKey },
        ExpressionAttributeValues: { ":id": subscriptionId },
      }),
    );
    return r.Items?.[0] as SubscriptionItem | undefined;
  }

  async disable(subscription: SubscriptionItem, reason: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { [tables.partnerEventSubscription.hashKey]: subscription.subscription_key },
          UpdateExpression: "SET #s = :disabled, status_reason = :reason, updated_at = :now",
          ConditionExpression: "#s = :approved",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":disabled": "disabled", ":approved": "approved", ":reason": reason, ":now": new Date().toISOString() },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    } finally {
      this.cache.invalidate(subscription.subscription_id);
    }
  }
}
