// The two ItemWriters on DynamoDB Local: the same contract (each write answered on its own,
// a failed condition returns the stored item, writes to one item land in order, a write
// DynamoDB refuses fails alone), then what only the group commit does (batching).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../../model/tables";
import { createDocumentClient } from "../../../apps/shared/dynamo";
import { SingleItemWriter, type ItemWriter, type ObserveWriteRequest, type WriteRequest } from "../../../apps/shared/item-writer";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";
import { testTables, type TestTables } from "./service-harness";
import { freePort } from "../../../local/engines/ports";
import { dynamoEndpoint } from "../../support/engines";
import { setTimeout as sleep } from "node:timers/promises";

let tables: TestTables;
let table: string;

before(async () => {
  tables = await testTables("writers");
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
const read = async (key: string) => (await tables.doc.send(new GetCommand({ TableName: table, Key: { idempotency_key: key }, ConsistentRead: true }))).Item;

const writers: Record<string, (doc: DynamoDBDocumentClient, observe?: ObserveWriteRequest) => ItemWriter> = {
  SingleItemWriter: (doc, observe) => new SingleItemWriter(doc, observe),
  TransactionalWriteBatcher: (doc, observe) => new TransactionalWriteBatcher(doc, observe ? { observe } : {}),
};

for (const [name, make] of Object.entries(writers)) {
  describe(`${name} on DynamoDB Local`, () => {
    it("writes each of many concurrent writes and answers each", async () => {
      const writer = make(tables.doc);
      const keys = Array.from({ length: 30 }, () => randomUUID());
      const outcomes = await Promise.all(keys.map((k, i) => writer.write(put(k, i))));
      assert.deepEqual(outcomes, keys.map(() => ({ kind: "written" })));
      for (const [i, k] of keys.entries()) assert.equal((await read(k))?.value, i);
    });

    it("answers conditionFailed with the stored item to the write whose condition fails, and writes its neighbours", async () => {
      const writer = make(tables.doc);
      const taken = randomUUID();
      await writer.write(put(taken, "original"));
      const free = [randomUUID(), randomUUID()];
      const [a, conflict, b] = await Promise.all([writer.write(put(free[0]!, "a", true)), writer.write(put(taken, "intruder", true)), writer.write(put(free[1]!, "b", true))]);
      assert.deepEqual(conflict, { kind: "conditionFailed", old: { idempotency_key: taken, value: "original" } });
      assert.deepEqual([a, b], [{ kind: "written" }, { kind: "written" }]);
      assert.equal((await read(taken))?.value, "original");
      assert.equal((await read(free[0]!))?.value, "a");
      assert.equal((await read(free[1]!))?.value, "b");
    });

    it("applies writes to one item in the order they were made, even when the first request is slow", async () => {
      // A client whose first request waits 300 ms before it goes out: a later write that did not
      // wait for it would land first and be overwritten by it.
      const slowFirst = createDocumentClient({ region: "us-east-1", endpoint: dynamoEndpoint() });
      let requests = 0;
      slowFirst.middlewareStack.add((next) => async (args) => {
        if (requests++ === 0) await sleep(300);
        return next(args);
      }, { step: "initialize" });
      try {
        const writer = make(slowFirst);
        const key = randomUUID();
        const first = writer.write(put(key, 1));
        await sleep(20);
        await Promise.all([first, writer.write(put(key, 2))]);
        assert.equal((await read(key))?.value, 2);
      } finally {
        slowFirst.destroy();
      }
    });

    it("fails only the write DynamoDB refuses (an item over 400 KB); the writes made with it are written", async () => {
      const writer = make(tables.doc);
      const good = [randomUUID(), randomUUID()];
      const results = await Promise.allSettled([writer.write(put(good[0]!, "ok")), writer.write(put(randomUUID(), "x".repeat(410 * 1024))), writer.write(put(good[1]!, "ok"))]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.match(String((results[1] as PromiseRejectedResult).reason), /size/i);
      for (const k of good) assert.equal((await read(k))?.value, "ok");
    });

    it("rejects the writes when DynamoDB cannot be reached", async () => {
      const unreachable = createDocumentClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${await freePort()}` });
      try {
        const writer = make(unreachable);
        const settled = await Promise.allSettled([writer.write(put(randomUUID(), 1)), writer.write(put(randomUUID(), 2))]);
        assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected"]);
      } finally {
        unreachable.destroy();
      }
    });

    it("tells its observer of every request: writes carried, duration and outcome", async () => {
      const seen: { writes: number; outcome: string }[] = [];
      const writer = make(tables.doc, ({ writes, outcome, seconds }) => void (seconds >= 0 && seen.push({ writes, outcome })));
      const taken = randomUUID();
      await writer.write(put(taken, "original"));
      await writer.write(put(taken, "again", true));
      await writer.write(put(randomUUID(), "new", true));
      assert.deepEqual(seen, [
        { writes: 1, outcome: "ok" },
        { writes: 1, outcome: "condition_failed" },
        { writes: 1, outcome: "ok" },
      ]);
    });
  });
}

describe("TransactionalWriteBatcher: group commit", () => {
  it("sends the writes of one tick in one transaction", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc);
    await Promise.all(Array.from({ length: 30 }, (_, i) => batcher.write(put(randomUUID(), i))));
    assert.deepEqual(batcher.stats, { transactions: 1, writes: 30 });
  });

  it("gathers the writes that arrive while a transaction is in flight into the next one, at most maxBatch each", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc, { maxBatch: 40 });
    const first = batcher.write(put(randomUUID(), "first"));
    await new Promise((resolve) => setImmediate(resolve)); // the first transaction is now on the wire
    const later = Array.from({ length: 60 }, (_, i) => batcher.write(put(randomUUID(), i)));
    await Promise.all([first, ...later]);
    assert.deepEqual(batcher.stats, { transactions: 3, writes: 61 });
  });

  it("never puts two writes to one item in one transaction, even with several in flight", async () => {
    const batcher = new TransactionalWriteBatcher(tables.doc, { maxInFlight: 4 });
    const key = randomUUID();
    await Promise.all([1, 2, 3].map((v) => batcher.write(put(key, v))));
    assert.equal((await read(key))?.value, 3);
    assert.equal(batcher.stats.transactions, 3);
  });

  it("sends the other writes of a transaction cancelled for one failed condition again, and reports the cancellation", async () => {
    const seen: string[] = [];
    const batcher = new TransactionalWriteBatcher(tables.doc, { observe: ({ writes, outcome }) => void seen.push(`${writes} ${outcome}`) });
    const taken = randomUUID();
    await batcher.write(put(taken, "original"));
    const [conflict, fresh] = await Promise.all([batcher.write(put(taken, "again", true)), batcher.write(put(randomUUID(), "new", true))]);
    assert.equal(conflict.kind, "conditionFailed");
    assert.equal(fresh.kind, "written");
    assert.deepEqual(seen, ["1 ok", "2 condition_failed", "1 ok"]);
  });
});
