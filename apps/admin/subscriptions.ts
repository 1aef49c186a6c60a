// Partner subscriptions: create (pending, with a signing secret shown once, and the egress
// topic), approve, cancel, rotate the signing secret (the old one keeps signing for 24 h),
// list. Secrets never leave this module except in the answer that creates them.

import { randomBytes, randomUUID } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Admin } from "kafkajs";
import type { SigningSecret, SubscriptionItem, SubscriptionKafkaItem } from "../../model/records";
import { subscriptionKey, type SubscriptionStatus } from "../../model/tables";
import { egressTopic, formatEventType, type EventType } from "../../model/topics";
import type { SchemaRegistry } from "../shared/registry/port";
import type { DeliveryUrlCheck } from "../shared/target-guard";
import { ensureTopic, type TopicSizing } from "../shared/topic-admin";

/** How long a replaced signing secret keeps signing beside the new one. */
export const secretOverlapMs = 24 * 60 * 60 * 1000;

export type SubscriptionFault = "bad-url" | "refused-url" | "unknown-event-type" | "not-found" | "conflict";

export class SubscriptionError extends Error {
  constructor(
    readonly fault: SubscriptionFault,
    message: string,
  ) {
    super(message);
    this.name = "SubscriptionError";
  }
}

export interface SubscriptionView {
  id: string;
  partnerId: string;
  eventType: string;
  url: string;
  status: SubscriptionStatus;
  statusReason?: string;
  topic: string;
  createdAt: string;
  updatedAt: string;
  /** How many signing secrets sign right now (2 during a rotation overlap). */
  activeSecrets: number;
}

export interface SubscriptionServiceDeps {
  doc: DynamoDBDocumentClient;
  subscriptionsTable: string;
  subscriptionKafkaTable: string;
  registry: SchemaRegistry;
  egressAdmin: Admin;
  sizing: TopicSizing;
  checkUrl: (url: string) => Promise<DeliveryUrlCheck>;
}

export class SubscriptionService {
  constructor(private readonly deps: SubscriptionServiceDeps) {}

  async create(partnerId: string, type: EventType, url: string): Promise<{ view: SubscriptionView; secret: string }> {
    const eventType = formatEventType(type);
    const check = await this.deps.checkUrl(url);
    if (!check.ok) throw new SubscriptionError(check.status === 400 ? "bad-url" : "refused-url", check.reason);
    if (!(await this.deps.registry.latestActive(type.domain, type.event))) {
      throw new SubscriptionError("unknown-event-type", `no ACTIVE schema is registered for ${eventType}`);
    }
    const key = subscriptionKey(partnerId, eventType);
    const existing = await this.getByKey(key);
    if (existing && existing.status !== "cancelled") {
      throw new SubscriptionError("conflict", `partner ${partnerId} already has subscription ${existing.subscription_id} to ${eventType} (status ${existing.status})`);
    }

    const topic = egressTopic(partnerId, type);
    await ensureTopic(this.deps.egressAdmin, topic, "egress", this.deps.sizing);

    const now = new Date().toISOString();
    const secret = newSigningSecret();
    const item: SubscriptionItem = {
      subscription_key: key,
      subscription_id: `sub_${randomUUID()}`,
      partner_id: partnerId,
      event_type: eventType,
      url: check.url.toString(),
      status: "pending",
      secrets: [{ secret, created_at: now }],
      created_at: now,
      updated_at: now,
    };
    try {
      await this.deps.doc.send(
        new PutCommand({
          TableName: this.deps.subscriptionsTable,
          Item: item,
          // A cancelled subscription may be replaced by a new one; anything else is a conflict.
          ConditionExpression: "attribute_not_exists(subscription_key) OR #status = :cancelled",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":cancelled": "cancelled" },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new SubscriptionError("conflict", `partner ${partnerId} already has a subscription to ${eventType}`);
      throw err;
    }
    const kafkaItem: SubscriptionKafkaItem = { subscription_id: item.subscription_id, topic, partitions: this.deps.sizing.partitions, created_at: now };
    await this.deps.doc.send(new PutCommand({ TableName: this.deps.subscriptionKafkaTable, Item: kafkaItem }));
    return { view: toView(item), secret };
  }

  async approve(partnerId: string, id: string): Promise<SubscriptionView> {
    const item = await this.find(partnerId, id);
    if (item.status === "approved") return toView(item);
    if (item.status === "cancelled") throw new SubscriptionError("conflict", `subscription ${id} is cancelled; create a new subscription instead`);
    return this.setStatus(item, "approved");
  }

  async cancel(partnerId: string, id: string): Promise<SubscriptionView> {
    const item = await this.find(partnerId, id);
    if (item.status === "cancelled") return toView(item);
    return this.setStatus(item, "cancelled");
  }

  /** A new current secret; the replaced one gets `expires_at` = now + 24 h; secrets already expired are dropped. */
  async rotateSecret(partnerId: string, id: string): Promise<{ view: SubscriptionView; secret: string; previousSecretExpiresAt: string }> {
    const item = await this.find(partnerId, id);
    if (item.status === "cancelled") throw new SubscriptionError("conflict", `subscription ${id} is cancelled; its secret cannot be rotated`);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + secretOverlapMs).toISOString();
    const secret = newSigningSecret();
    const kept: SigningSecret[] = item.secrets
      .filter((s) => s.expires_at === undefined || Date.parse(s.expires_at) > now.getTime())
      .map((s) => (s.expires_at === undefined ? { ...s, expires_at: expiresAt } : s));
    const secrets: SigningSecret[] = [{ secret, created_at: now.toISOString() }, ...kept];
    const updated = await this.update(item, "SET secrets = :secrets, updated_at = :now", { ":secrets": secrets, ":now": now.toISOString() });
    return { view: toView(updated), secret, previousSecretExpiresAt: expiresAt };
  }

  async list(partnerId: string): Promise<SubscriptionView[]> {
    const items: SubscriptionItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.deps.doc.send(
        new QueryCommand({
          TableName: this.deps.subscriptionsTable,
          IndexName: "partner_id-index",
          KeyConditionExpression: "partner_id = :p",
          ExpressionAttributeValues: { ":p": partnerId },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as SubscriptionItem[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items.map(toView);
  }

  /** A subscription by id alone (DLQ replay names only the subscription). */
  async get(id: string): Promise<SubscriptionView> {
    const item = await this.findById(id);
    if (!item) throw new SubscriptionError("not-found", `there is no subscription ${id}`);
    return toView(item);
  }

  private async findById(id: string): Promise<SubscriptionItem | undefined> {
    const out = await this.deps.doc.send(
      new QueryCommand({
        TableName: this.deps.subscriptionsTable,
        IndexName: "subscription_id-index",
        KeyConditionExpression: "subscription_id = :id",
        ExpressionAttributeValues: { ":id": id },
      }),
    );
    const indexed = (out.Items ?? [])[0] as SubscriptionItem | undefined;
    if (!indexed) return undefined;
    // The index is eventually consistent: read the item itself for the current state.
    const current = await this.getByKey(indexed.subscription_key);
    return current?.subscription_id === id ? current : undefined;
  }

  private async find(partnerId: string, id: string): Promise<SubscriptionItem> {
    const item = await this.findById(id);
    if (!item || item.partner_id !== partnerId) throw new SubscriptionError("not-found", `partner ${partnerId} has no subscription ${id}`);
    return item;
  }

  private async getByKey(key: string): Promise<SubscriptionItem | undefined> {
    const out = await this.deps.doc.send(new GetCommand({ TableName: this.deps.subscriptionsTable, Key: { subscription_key: key }, ConsistentRead: true }));
    return out.Item as SubscriptionItem | undefined;
  }

  private setStatus(item: SubscriptionItem, to: SubscriptionStatus): Promise<SubscriptionView> {
    return this.update(item, "SET #status = :to, updated_at = :now REMOVE status_reason", { ":to": to, ":now": new Date().toISOString() }, { "#status": "status" }).then(toView);
  }

  /** Optimistic: applies only if nobody changed the item since it was read. */
  private async update(item: SubscriptionItem, expression: string, values: Record<string, unknown>, names: Record<string, string> = {}): Promise<SubscriptionItem> {
    try {
      const out = await this.deps.doc.send(
        new UpdateCommand({
          TableName: this.deps.subscriptionsTable,
          Key: { subscription_key: item.subscription_key },
          UpdateExpression: expression,
          ConditionExpression: "subscription_id = :id AND updated_at = :seen",
          ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: { ...values, ":id": item.subscription_id, ":seen": item.updated_at },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes as SubscriptionItem;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new SubscriptionError("conflict", `subscription ${item.subscription_id} changed while this request ran; retry`);
      throw err;
    }
  }
}

/** Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

function toView(item: SubscriptionItem): SubscriptionView {
  const [domain, event] = item.event_type.split(".") as [string, string];
  const now = Date.now();
  return {
    id: item.subscription_id,
    partnerId: item.partner_id,
    eventType: item.event_type,
    url: item.url,
    status: item.status,
    ...(item.status_reason ? { statusReason: item.status_reason } : {}),
    topic: egressTopic(item.partner_id, { domain, event }),
    createdAt: item.created_at,
    updatedAt: item.updated_at,
    activeSecrets: item.secrets.filter((s) => s.expires_at === undefined || Date.parse(s.expires_at) > now).length,
  };
}
