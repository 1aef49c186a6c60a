// What the service integration tests share: tables of their own on DynamoDB Local, a
// document client, a collector of the records that reach a topic, and an app listening on
// a free loopback port.

import type { FastifyInstance } from "fastify";
import type { Kafka, IHeaders } from "kafkajs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createTables, deleteTables } from "../../../local/create-tables";
import { createDocumentClient } from "../../../apps/shared/dynamo";
import { dynamoClient, dynamoEndpoint, uniquePrefix } from "../../support/engines";

export interface TestTables {
  prefix: string;
  doc: DynamoDBDocumentClient;
  dispose(): Promise<void>;
}

export async function testTables(name: string): Promise<TestTables> {
  const prefix = uniquePrefix(name);
  const client = dynamoClient();
  await createTables(client, prefix);
  const doc = createDocumentClient({ region: "us-east-1", endpoint: dynamoEndpoint() });
  return {
    prefix,
    doc,
    async dispose() {
      doc.destroy();
      await deleteTables(client, prefix);
      client.destroy();
    },
  };
}

export interface ReceivedRecord {
  topic: string;
  partition: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Reads every record of the given topics from the beginning, for assertions. */
export class TopicCollector {
  readonly records: ReceivedRecord[] = [];
  private constructor(private readonly stopConsumer: () => Promise<void>) {}

  static async start(kafka: Kafka, topics: string[], groupId: string): Promise<TopicCollector> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const collector = new TopicCollector(() => consumer.disconnect());
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        collector.records.push({
          topic,
          partition,
          key: message.key?.toString("utf8") ?? null,
          value: message.value?.toString("utf8") ?? "",
          headers: headersOf(message.headers),
        });
      },
    });
    return collector;
  }

  /** The records matching `predicate` once there are at least `count` of them. */
  async waitFor(predicate: (r: ReceivedRecord) => boolean, count = 1, timeoutMs = 20_000): Promise<ReceivedRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} expected records arrived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): Promise<void> {
    return this.stopConsumer();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join(",") : value.toString();
  }
  return out;
}

/** Listens on a free loopback port; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: "127.0.0.1" });
}
