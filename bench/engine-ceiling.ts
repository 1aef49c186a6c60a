// What the engines alone can do on this machine, measured straight from the bench with the
// services idle: DynamoDB Local conditional writes, one per request and group-committed as the
// services write them (TransactWriteItems; the gateway makes two writes per event, the
// dispatcher two per delivery), and Kafka acks=all produce of ~1 KiB records, one per request
// and batched. These are the ceilings the services' numbers are read against.

import { randomUUID } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand, TransactWriteItemsCommand, type Put } from "@aws-sdk/client-dynamodb";
import type { Admin, Kafka } from "kafkajs";
import { localAwsCredentials, localAwsRegion } from "../local/engines/dynamodb";
import { LatencyHistogram, type LatencySummary } from "./histogram";
import { benchOrder } from "./payload";
import { benchProcesses, busiestThread, processCpuPercent, processTicks, threadTicks } from "./proc-usage";

export interface Ceiling {
  what: string;
  concurrency: number;
  perSecond: number;
  latencyMs: LatencySummary;
  /** The engine process's CPU while measured, and its busiest thread: a serialising thread shows here. */
  engineCpuPercent?: number;
  busiestThread?: { name: string; cpuPercent: number };
}

/** Runs `measure` and reports the CPU of the engine process of `role` and of its busiest thread meanwhile. */
async function withEngineCpu<T extends object>(role: string, measure: () => Promise<T>): Promise<T & Pick<Ceiling, "engineCpuPercent" | "busiestThread">> {
  const pid = benchProcesses().find((p) => p.role === role)?.pid;
  if (pid === undefined) return measure();
  const threads = threadTicks(pid);
  const ticks = processTicks(pid);
  const started = performance.now();
  const result = await measure();
  const wallMs = performance.now() - started;
  const busiest = busiestThread(threads, threadTicks(pid), wallMs);
  return { ...result, engineCpuPercent: processCpuPercent(pid, ticks, wallMs), ...(busiest ? { busiestThread: busiest } : {}) };
}

/** `perSecond` counts `perOp` units (writes, records) per completed operation. */
async function closedLoop(seconds: number, concurrency: number, op: () => Promise<unknown>, perOp = 1): Promise<{ perSecond: number; latencyMs: LatencySummary }> {
  const histogram = new LatencyHistogram();
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await op();
        histogram.recordMs(performance.now() - t0);
        done++;
      }
    }),
  );
  return { perSecond: Math.round((done * perOp) / ((performance.now() - started) / 1000)), latencyMs: histogram.summary() };
}

/** The JVMs start cold: a short unmeasured run first, so the ceiling is the warm engine's. */
async function warmThenMeasure(role: string, seconds: number, concurrency: number, op: () => Promise<unknown>, perOp = 1) {
  await closedLoop(2, concurrency, op, perOp);
  return withEngineCpu(role, () => closedLoop(seconds, concurrency, op, perOp));
}

const probeTable = "bench_engine_probe";

const probePut = (): Put => ({
  TableName: probeTable,
  Item: { pk: { S: randomUUID() }, event_id: { S: randomUUID() }, created_at: { S: new Date().toISOString() }, expires_at: { N: "1" } },
  ConditionExpression: "attribute_not_exists(pk)",
});

/** Conditional puts per second: one per request (`batch` 1), or `batch` per TransactWriteItems as the services' group commit sends them. */
export async function dynamoDbCeiling(endpoint: string, seconds: number, concurrency: number, batch = 1): Promise<Ceiling> {
  const client = new DynamoDBClient({ endpoint, region: localAwsRegion, credentials: localAwsCredentials });
  try {
    await client.send(new CreateTableCommand({ TableName: probeTable, BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }));
    const op =
      batch === 1
        ? () => client.send(new PutItemCommand(probePut()))
        : () => client.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: batch }, () => ({ Put: probePut() })) }));
    const result = await warmThenMeasure("dynamodb-local", seconds, concurrency, op, batch);
    const what = batch === 1 ? "DynamoDB Local conditional PutItem (writes/s)" : `DynamoDB Local TransactWriteItems of ${batch} conditional puts (writes/s)`;
    return { what, concurrency, ...result };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: probeTable })).catch(() => undefined);
    client.destroy();
  }
}

/**
 * Records per second, one per send (`batch` 1) or `batch` per sendBatch. With a producer of its own: a producer that knew
 * the probe topic would fail its next metadata refresh once the topic is deleted.
 */
export async function kafkaCeiling(kafka: Kafka, admin: Admin, seconds: number, concurrency: number, batch = 1): Promise<Ceiling> {
  const topic = "bench.engine-probe";
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  const value = JSON.stringify(benchOrder("kafka-probe"));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const result = await warmThenMeasure("kafka", seconds, concurrency, () => producer.send({ topic, acks: -1, messages: Array.from({ length: batch }, () => ({ key: randomUUID(), value })) }), batch);
    const what = batch === 1 ? "Kafka acks=all single-record send, idempotent producer (records/s)" : `Kafka acks=all send of ${batch} records, idempotent producer (records/s)`;
    return { what, concurrency, ...result };
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }
}
