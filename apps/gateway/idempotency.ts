// Dedup of producer events by source + id in idempotency_ledger.
//
// Order of work for one event: reserve the key (conditional put, state "pending", a short
// lease) -> publish -> confirm (state "published"). If the publish fails, the reservation is
// released, so the producer's retry is not wrongly answered "duplicate". A concurrent request
// with the same key waits for the first to finish (it must not answer 202 for an event that
// may still fail); a reservation whose process died is taken over once its lease has passed.
// Expired items count as absent (DynamoDB deletes TTL'd items lazily, up to days later).

import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IdempotencyItem } from "../../model/records";

/** The ledger item of an ingested event: the shared shape plus the reservation state. */
export interface IngestLedgerItem extends IdempotencyItem {
  state: "pending" | "published";
  /** Epoch ms after which a "pending" reservation may be taken over (its owner is presumed dead). */
  lease_until?: number;
  source: string;
  ce_id: string;
}

export type Reservation =
  | { kind: "reserved" }
  | { kind: "duplicate"; eventId: string }
  /** Another request holds the key and did not finish within the wait. */
  | { kind: "busy" };

export interface LedgerOptions {
  ttlHours: number;
  /** How long a reservation holds before another request may take it over; longer than a publish can take. */
  leaseMs?: number;
  /** How long a request waits for a concurrent one with the same key. */
  waitMs?: number;
  pollMs?: number;
}

export class IngestLedger {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: LedgerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 5_000;
    this.pollMs = options.pollMs ?? 100;
  }

  /** `ingest#` + SHA-256 of (source, id): fixed length whatever the producer sends, no separator ambiguity. */
  static key(source: string, id: string): string {
    return `ingest#${createHash("sha256").update(JSON.stringify([source, id])).digest("hex")}`;
  }

  async reserve(source: string, id: string, eventId: string): Promise<Reservation> {
    const key = IngestLedger.key(source, id);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      if (await this.tryPut(key, source, id, eventId)) return { kind: "reserved" };
      const existing = await this.get(key);
      if (existing?.state === "published") return { kind: "duplicate", eventId: existing.event_id };
      if (Date.now() >= deadline) return { kind: "busy" };
      // Still pending: wait for its owner. Gone (released, lapsed): try the put again at once.
      if (existing) await sleep(this.pollMs);
    }
  }

  async confirm(source: string, id: string, eventId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { idempotency_key: IngestLedger.key(source, id) },
        UpdateExpression: "SET #state = :published REMOVE lease_until",
        ConditionExpression: "event_id = :mine",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":published": "published", ":mine": eventId },
      }),
    );
  }

  async release(source: string, id: string, eventId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { idempotency_key: IngestLedger.key(source, id) },
          ConditionExpression: "event_id = :mine AND #state = :pending",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":mine": eventId, ":pending": "pending" },
        }),
      );
    } catch (err) {
      // Already taken over by another request: not ours to delete.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  private async tryPut(key: string, source: string, id: string, eventId: string): Promise<boolean> {
    const nowMs = Date.now();
    const item: IngestLedgerItem = {
      idempotency_key: key,
      event_id: eventId,
      expires_at: Math.floor(nowMs / 1000) + this.options.ttlHours * 3600,
      created_at: new Date(nowMs).toISOString(),
      state: "pending",
      lease_until: nowMs + this.leaseMs,
      source,
      ce_id: id,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression:
            "attribute_not_exists(idempotency_key) OR expires_at < :nowSec OR (#state = :pending AND lease_until < :nowMs)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":nowSec": Math.floor(nowMs / 1000), ":nowMs": nowMs, ":pending": "pending" },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  private async get(key: string): Promise<IngestLedgerItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { idempotency_key: key }, ConsistentRead: true }));
    const item = out.Item as IngestLedgerItem | undefined;
    if (!item) return undefined;
    const now = Date.now();
    if (item.expires_at < Math.floor(now / 1000)) return undefined;
    if (item.state === "pending" && (item.lease_until ?? 0) < now) return undefined;
    return item;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
