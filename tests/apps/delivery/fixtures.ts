// What the processor and dispatcher integration tests share: tables under a unique prefix on
// DynamoDB Local, topics on the run's Kafka broker, subscriptions, ingress records, a webhook
// receiver on 127.0.0.1, and a reader that collects the records of some topics.

import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Admin, Consumer, Kafka } from "kafkajs";
import pino from "pino";
import { createTables, deleteTables } from "../../../local/create-tables";
import type { IngressRecord, SigningSecret, SubscriptionItem } from "../../../model/records";
import { subscriptionKey, tableName, type SubscriptionStatus, type TableId } from "../../../model/tables";
import { egressTopic, ingressTopic, kafkaHeaders, type EventType, type TopicKind } from "../../../model/topics";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { textHeaders } from "../../../apps/shared/kafka-headers";

export const silentLogger = pino({ level: "silent" });

export const newSecret = (): string => `whsec_${randomBytes(24).toString("base64")}`;

export class Tables {
  readonly doc: DynamoDBDocumentClient;
  constructor(
    readonly client: DynamoDBClient,
    readonly prefix: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }
  static async create(client: DynamoDBClient, prefix: string): Promise<Tables> {
    await createTables(client, prefix);
    return new Tables(client, prefix);
  }
  name(id: TableId): string {
    return tableName(id, this.prefix);
  }
  async get<T>(id: TableId, key: Record<string, string>): Promise<T | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.name(id), Key: key, ConsistentRead: true }));
    return r.Item as T | undefined;
  }
  async drop(): Promise<void> {
    await deleteTables(this.client, this.prefix);
  }
}

export interface SubscriptionSeed {
  partnerId: string;
  eventType: string;
  url: string;
  status?: SubscriptionStatus;
  secrets?: SigningSecret[];
}

export async function putSubscription(tables: Tables, seed: SubscriptionSeed): Promise<SubscriptionItem> {
  const now = new Date().toISOString();
  const item: SubscriptionItem = {
    subscription_key: subscriptionKey(seed.partnerId, seed.eventType),
    subscription_id: `sub_${randomUUID()}`,
    partner_id: seed.partnerId,
    event_type: seed.eventType,
    url: seed.url,
    status: seed.status ?? "approved",
    secrets: seed.secrets ?? [{ secret: newSecret(), created_at: now }],
    created_at: now,
    updated_at: now,
  };
  await tables.doc.send(new PutCommand({ TableName: tables.name("partnerEventSubscription"), Item: item }));
  return item;
}

export async function createTopic(admin: Admin, topic: string, kind: TopicKind, partitions = 3): Promise<string> {
  await ensureTopic(admin, topic, kind, { partitions, replicationFactor: 1 });
  return topic;
}

export async function createIngressAndEgress(admin: Admin, type: EventType, partners: readonly string[]): Promise<void> {
  await createTopic(admin, ingressTopic(type), "ingress");
  for (const p of partners) await createTopic(admin, egressTopic(p, type), "egress");
}

export function ingressRecord(type: string, data: unknown, eventId: string = randomUUID()): IngressRecord {
  const receivedAt = new Date().toISOString();
  return {
    eventId,
    receivedAt,
    schemaVersion: 1,
    event: { specversion: "1.0", id: randomUUID(), source: "tests", type, time: receivedAt, data },
  };
}

export function ingressMessage(record: IngressRecord, key = "source-1") {
  return { key, value: JSON.stringify(record), headers: { [kafkaHeaders.eventId]: record.eventId } };
}

export interface CollectedRecord {
  topic: string;
  partition: number;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}


/** Reads every record of some topics from their beginning, into `records`. */
export class TopicReader {
  readonly records: CollectedRecord[] = [];
  private consumer: Consumer;
  private constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({ groupId: `tests-reader-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  }
  static async start(kafka: Kafka, topics: string[] | RegExp): Promise<TopicReader> {
    const reader = new TopicReader(kafka);
    await reader.consumer.connect();
    try {
      await reader.consumer.subscribe({ topics: Array.isArray(topics) ? topics : [topics], fromBeginning: true });
      await reader.consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          reader.records.push({ topic, partition, key: message.key?.toString(), value: message.value?.toString() ?? "", headers: textHeaders(message.headers) });
        },
      });
    } catch (err) {
      await reader.consumer.disconnect();
      throw err;
    }
    return reader;
  }
  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 whose answer the test sets per request. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  connections = 0;
  /** Requests being answered right now, and the most there were at once. */
  inFlight = 0;
  maxInFlight = 0;
  answer: (req: ReceivedRequest, n: number) => { status: number; headers?: Record<string, string>; delayMs?: number } | "hang" = () => ({ status: 200 });
  private constructor(private readonly server: Server) {}
  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on("connection", () => receiver.connections++);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r: ReceivedRequest = { at: Date.now(), path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
        receiver.requests.push(r);
        const a = receiver.answer(r, receiver.requests.length);
        if (a === "hang") return;
        receiver.inFlight++;
        receiver.maxInFlight = Math.max(receiver.maxInFlight, receiver.inFlight);
        setTimeout(() => {
          receiver.inFlight--;
          res.writeHead(a.status, a.headers).end();
        }, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    return receiver;
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
