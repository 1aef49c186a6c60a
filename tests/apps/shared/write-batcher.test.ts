// Group commit on DynamoDB Local: batching, per-write conditions inside one transaction,
// per-item order, and a write DynamoDB refuses not failing its neighbours.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../../model/tables";
import { createDocumentClient } from "../../../apps/shared/dynamo";
import { TransactionalWriteBatcher, type WriteRequest } from "../../../apps/shared/write-batcher";
import { testTables, type TestTables } from "./service-harness";
import { freePort } from "../../../local/engines/ports";

describe("TransactionalWriteBatcher on DynamoDB Local", () => {
  let tables: TestTables;
  let table: string;

  before(async () => {
    tables = await testTables("batcher");
    table = tableName("idempotencyLedger", tables.prefix);
  });
  after(async () => tables?.dispose());

  const put = (key: string, value: unknown, onlyIfAbsent = false): WriteRequest => ({
    item: key,
    write: {
      Put: {
        TableName: table,
        Item: { idempotency_key: key, value },
        ...(onlyIfAbsent ? { ConditionExpression: "attribute_not_exists(idempotency_key)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {}),
      },
    },
  });
  const read = async (key: string) =>
    (await tables.doc.send(new GetCommand({ TableName: table, Key: { idempotency_key: key }, ConsistentRead: true }))).Item;

  it("sends the writes of one tick in one transaction, and writes each", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc);
    const keys = Array.from({ length: 30 }, () => randomUUID());
    const outcomes = await Promise.all(keys.map((k, i) => batcher.write(put(k, i))));
    assert.deepEqual(outcomes, keys.map(() => ({ kind: "written" })));
    assert.deepEqual(batcher.stats, { transactions: 1, writes: 30 });
    for (const [i, k] of keys.entries()) assert.equal((await read(k))?.value, i);
  });

  it("gathers the writes that arrive while a transaction is in flight into the next one, at most maxBatch each", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc, { maxBatch: 40 });
    const first = batcher.write(put(randomUUID(), "first"));
    await new Promise((resolve) => setImmediate(resolve)); // the first transaction is now on the wire
    const later = Array.from({ length: 60 }, (_, i) => batcher.write(put(randomUUID(), i)));
    await Promise.all([first, ...later]);
    assert.deepEqual(batcher.stats, { transactions: 3, writes: 61 });
  });

  it("answers conditionFailed with the stored item to the write whose condition fails, and writes its neighbours", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc);
    const taken = randomUUID();
    await batcher.write(put(taken, "original"));
    const free = [randomUUID(), randomUUID()];
    const [a, conflict, b] = await Promise.all([batcher.write(put(free[0]!, "a", true)), batcher.write(put(taken, "intruder", true)), batcher.write(put(free[1]!, "b", true))]);
    assert.deepEqual(conflict, { kind: "conditionFailed", old: { idempotency_key: taken, value: "original" } });
    assert.deepEqual([a, b], [{ kind: "written" }, { kind: "written" }]);
    assert.equal((await read(taken))?.value, "original");
    assert.equal((await read(free[0]!))?.value, "a");
    assert.equal((await read(free[1]!))?.value, "b");
  });

  it("tells its observer of every transaction: writes carried, duration and outcome", async () => {
    const seen: { writes: number; outcome: string }[] = [];
    const batcher = new TransactionalWriteBatcher(tables.doc, { observe: ({ writes, outcome, seconds }) => void (seconds >= 0 && seen.push({ writes, outcome })) });
    const taken = randomUUID();
    await batcher.write(put(taken, "original"));
    await Promise.all([batcher.write(put(taken, "again", true)), batcher.write(put(randomUUID(), "new", true))]);
    assert.deepEqual(seen, [
      { writes: 1, outcome: "committed" },
      { writes: 2, outcome: "cancelled" },
      { writes: 1, outcome: "committed" },
    ]);
  });

  it("keeps the order of writes to one item: never in one transaction, the later one lands last", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc, { maxInFlight: 4 });
    const key = randomUUID();
    const writes = [1, 2, 3].map((v) => batcher.write(put(key, v)));
    await Promise.all(writes);
    assert.equal((await read(key))?.value, 3);
    assert.equal(batcher.stats.transactions, 3);
  });

  it("fails only the write DynamoDB refuses (an item over 400 KB); the writes sent with it are written", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc);
    const good = [randomUUID(), randomUUID()];
    const results = await Promise.allSettled([batcher.write(put(good[0]!, "ok")), batcher.write(put(randomUUID(), "x".repeat(410 * 1024))), batcher.write(put(good[1]!, "ok"))]);
    assert.equal(results[0].status, "fulfilled");
    assert.equal(results[2].status, "fulfilled");
    assert.equal(results[1].status, "rejected");
    assert.match(String((results[1] as PromiseRejectedResult).reason), /size/i);
    for (const k of good) assert.equal((await read(k))?.value, "ok");
  });

  it("rejects every write of a transaction DynamoDB cannot be reached for", async () => {
    const unreachable = createDocumentClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${await freePort()}` });
    try {
      const batcher = new TransactionalWriteBatcher(unreachable);
      const writes = [batcher.write(put(randomUUID(), 1)), batcher.write(put(randomUUID(), 2))];
      const settled = await Promise.allSettled(writes);
      assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected"]);
    } finally {
      unreachable.destroy();
    }
  });
});
