// Dedup of producer events by source + id in idempotency_ledger.
//
// Order of work for one event: reserve the key (conditional put, state "pending", a short
// lease) -> publish -> confirm (state "published"). If the publish fails, the reservation is
// released, so the producer's retry is not wrongly answered "duplicate". A concurrent request
// with the same key waits for the first to finish (it must not answer 202 for an event that
// may still fail); a reservation whose process died is taken over once its lease has passed.
// Expired items count as absent (DynamoDB deletes TTL'd items lazily, up to days later).
//
// Reserve, confirm and release go through the gateway's group commit (ItemWriter): the
// requests in flight share one DynamoDB transaction, each write keeping its own condition.

import { createHash } from "node:crypto";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IdempotencyItem } from "../../model/records";
import { itemIdentity, type ItemWriter, type TransactWrite } from "../shared/item-writer";

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
    private readonly writer: ItemWriter,
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
      const put = await this.tryPut(key, source, id, eventId);
      if (put.kind === "written") return { kind: "reserved" };
      // The item that stopped the put came back with the answer; read it only if it did not.
      const existing = put.old ? this.live(put.old) : await this.get(key);
      if (existing?.state === "published") return { kind: "duplicate", eventId: existing.event_id };
      if (Date.now() >= deadline) return { kind: "busy" };
      // Still pending: wait for its owner. Gone (released, lapsed): try the put again at once.
      if (existing) await sleep(this.pollMs);
    }
  }

  /** Marks the reservation published; throws when it is no longer this request's (taken over after its lease). */
  async confirm(source: string, id: string, eventId: string): Promise<void> {
    const key = IngestLedger.key(source, id);
    const outcome = await this.write(key, {
      Update: {
        TableName: this.table,
        Key: { idempotency_key: key },
        UpdateExpression: "SET #state = :published REMOVE lease_until",
        ConditionExpression: "event_id = :mine",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":published": "published", ":mine": eventId },
      },
    });
    if (outcome.kind === "conditionFailed") throw new Error(`idempotency reservation ${key} is no longer held by event ${eventId}`);
  }

  async release(source: string, id: string, eventId: string): Promise<void> {
    const key = IngestLedger.key(source, id);
    // A failed condition means another request took the key over: not ours to delete.
    await this.write(key, {
      Delete: {
        TableName: this.table,
        Key: { idempotency_key: key },
        ConditionExpression: "event_id = :mine AND #state = :pending",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":mine": eventId, ":pending": "pending" },
      },
    });
  }

  private write(key: string, write: TransactWrite) {
    return this.writer.write<IngestLedgerItem>({ item: itemIdentity(this.table, key), write });
  }

  private tryPut(key: string, source: string, id: string, eventId: string) {
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
    return this.write(key, {
      Put: {
        TableName: this.table,
        Item: item,
        ConditionExpression: "attribute_not_exists(idempotency_key) OR expires_at < :nowSec OR (#state = :pending AND lease_until < :nowMs)",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":nowSec": Math.floor(nowMs / 1000), ":nowMs": nowMs, ":pending": "pending" },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    });
  }

  private async get(key: string): Promise<IngestLedgerItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { idempotency_key: key }, ConsistentRead: true }));
    return this.live(out.Item as IngestLedgerItem | undefined);
  }

  /** The item, unless it has expired or is a reservation whose lease has passed (both count as absent). */
  private live(item: IngestLedgerItem | undefined): IngestLedgerItem | undefined {
    if (!item) return undefined;
    const now = Date.now();
    if (item.expires_at < Math.floor(now / 1000)) return undefined;
    if (item.state === "pending" && (item.lease_until ?? 0) < now) return undefined;
    return item;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
