// The idempotency ledger on DynamoDB Local: reservation, confirmation, release, concurrent
// requests for the same key, lapsed leases and expired items.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../../model/tables";
import { IngestLedger, type IngestLedgerItem } from "../../../apps/gateway/idempotency";
import { testTables, type TestTables } from "../shared/service-harness";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";

describe("idempotency ledger on DynamoDB Local", () => {
  let tables: TestTables;
  let table: string;
  let ledger: IngestLedger;

  before(async () => {
    tables = await testTables("ledger");
    table = tableName("idempotencyLedger", tables.prefix);
    ledger = new IngestLedger(tables.doc, new TransactionalWriteBatcher(tables.doc), table, { ttlHours: 48, waitMs: 1500, pollMs: 20 });
  });
  after(async () => tables?.dispose());

  const fresh = () => ({ source: `/src/${randomUUID()}`, id: randomUUID() });
  const stored = async (source: string, id: string) =>
    (await tables.doc.send(new GetCommand({ TableName: table, Key: { idempotency_key: IngestLedger.key(source, id) }, ConsistentRead: true }))).Item as IngestLedgerItem | undefined;

  it("reserves a new key with the TTL, and answers duplicate with the first eventId once it is confirmed", async () => {
    const { source, id } = fresh();
    const first = randomUUID();
    assert.deepEqual(await ledger.reserve(source, id, first), { kind: "reserved" });
    const item = await stored(source, id);
    assert.equal(item?.state, "pending");
    assert.ok(Math.abs(item!.expires_at - (Date.now() / 1000 + 48 * 3600)) < 60);
    await ledger.confirm(source, id, first);
    assert.equal((await stored(source, id))?.state, "published");
    assert.deepEqual(await ledger.reserve(source, id, randomUUID()), { kind: "duplicate", eventId: first });
  });

  it("makes a concurrent request wait for a pending reservation and answers duplicate once it is confirmed", async () => {
    const { source, id } = fresh();
    const first = randomUUID();
    await ledger.reserve(source, id, first);
    const waiting = ledger.reserve(source, id, randomUUID());
    setTimeout(() => void ledger.confirm(source, id, first), 200);
    assert.deepEqual(await waiting, { kind: "duplicate", eventId: first });
  });

  it("lets a retry reserve again after a failed publish released the reservation", async () => {
    const { source, id } = fresh();
    const first = randomUUID();
    await ledger.reserve(source, id, first);
    const waiting = ledger.reserve(source, id, randomUUID());
    setTimeout(() => void ledger.release(source, id, first), 200);
    assert.deepEqual(await waiting, { kind: "reserved" });
  });

  it("answers busy when the owner neither confirms nor releases within the wait", async () => {
    const { source, id } = fresh();
    await ledger.reserve(source, id, randomUUID());
    const started = Date.now();
    assert.deepEqual(await ledger.reserve(source, id, randomUUID()), { kind: "busy" });
    assert.ok(Date.now() - started >= 1400);
  });

  it("takes over a pending reservation whose lease has passed (its owner died between reserve and publish)", async () => {
    const { source, id } = fresh();
    const short = new IngestLedger(tables.doc, new TransactionalWriteBatcher(tables.doc), table, { ttlHours: 48, leaseMs: 100, waitMs: 1000, pollMs: 20 });
    const dead = randomUUID();
    await short.reserve(source, id, dead);
    await new Promise((r) => setTimeout(r, 150));
    const next = randomUUID();
    assert.deepEqual(await short.reserve(source, id, next), { kind: "reserved" });
    assert.equal((await stored(source, id))?.event_id, next);
    // The dead owner's late release must not remove the new reservation.
    await short.release(source, id, dead);
    assert.equal((await stored(source, id))?.event_id, next);
  });

  it("treats an expired item that TTL has not swept yet as absent", async () => {
    const { source, id } = fresh();
    const old: IngestLedgerItem = {
      idempotency_key: IngestLedger.key(source, id),
      event_id: randomUUID(),
      expires_at: Math.floor(Date.now() / 1000) - 10,
      created_at: new Date(Date.now() - 49 * 3600 * 1000).toISOString(),
      state: "published",
      source,
      ce_id: id,
    };
    await tables.doc.send(new PutCommand({ TableName: table, Item: old }));
    assert.deepEqual(await ledger.reserve(source, id, randomUUID()), { kind: "reserved" });
  });

  it("group-commits the reservations and confirmations of concurrent requests: a few transactions for 50 events", async () => {
    const writer = new TransactionalWriteBatcher(tables.doc);
    const batched = new IngestLedger(tables.doc, writer, table, { ttlHours: 48 });
    const events = Array.from({ length: 50 }, () => ({ ...fresh(), eventId: randomUUID() }));
    const reserved = await Promise.all(events.map((e) => batched.reserve(e.source, e.id, e.eventId)));
    assert.ok(reserved.every((r) => r.kind === "reserved"));
    await Promise.all(events.map((e) => batched.confirm(e.source, e.id, e.eventId)));
    assert.equal(writer.stats.writes, 100);
    assert.ok(writer.stats.transactions <= 4, `${writer.stats.transactions} transactions for 100 writes`);
    for (const e of events) assert.deepEqual(await ledger.reserve(e.source, e.id, randomUUID()), { kind: "duplicate", eventId: e.eventId });
  });

  it("refuses to confirm a reservation another request took over", async () => {
    const { source, id } = fresh();
    const short = new IngestLedger(tables.doc, new TransactionalWriteBatcher(tables.doc), table, { ttlHours: 48, leaseMs: 50, waitMs: 1000, pollMs: 20 });
    const dead = randomUUID();
    await short.reserve(source, id, dead);
    await new Promise((r) => setTimeout(r, 80));
    await short.reserve(source, id, randomUUID());
    await assert.rejects(short.confirm(source, id, dead), /no longer held/);
  });

  it("keeps keys of different sources apart even when source and id would concatenate alike", async () => {
    assert.notEqual(IngestLedger.key("a#b", "c"), IngestLedger.key("a", "b#c"));
  });
});
