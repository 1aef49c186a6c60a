// DLQ replay: the records of one subscription on `wh.dlq.{domain}.{event}` (optionally only
// those written since a time) go back onto the subscription's egress topic with a fresh
// attempt count, so the dispatcher delivers them again with the whole retry schedule.
// Pairs that succeeded meanwhile are skipped by the dispatcher's own ledger.
//
// The DLQ is read up to the end it had when the replay started, with a consumer group of its
// own (`webhooks-admin-replay-<uuid>`, deleted afterwards), so replays never share offsets.

import { randomUUID } from "node:crypto";
import type { IHeaders, Kafka, Message, Producer } from "kafkajs";
import { durableProducerConfig } from "../shared/kafka";
import type { DeliveryRecord } from "../../model/records";
import { consumerGroups, dlqTopic, egressTopic, kafkaHeaders, parseEventType } from "../../model/topics";
import { withTimeout } from "../shared/readiness";

export interface ReplayTarget {
  subscriptionId: string;
  partnerId: string;
  eventType: string;
}

/** Headers that describe a delivery's retry state: dropped so the replay starts afresh. */
const retryStateHeaders: string[] = [kafkaHeaders.attempt, kafkaHeaders.notBefore];

export class DlqReplayer {
  private producer: Promise<Producer> | undefined;

  constructor(
    private readonly egressKafka: Kafka,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async replay(target: ReplayTarget, since?: Date): Promise<number> {
    const type = parseEventType(target.eventType);
    if (!type) throw new Error(`subscription ${target.subscriptionId} has a malformed event type "${target.eventType}"`);
    const dlq = dlqTopic(type);
    const admin = this.egressKafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(dlq)) return 0;
      const ends = await admin.fetchTopicOffsets(dlq);
      const starts = since ? await admin.fetchTopicOffsetsByTimestamp(dlq, since.getTime()) : ends.map((e) => ({ partition: e.partition, offset: e.low }));
      const ranges = ends
        .map((e) => ({ partition: e.partition, from: BigInt(starts.find((s) => s.partition === e.partition)?.offset ?? e.low), to: BigInt(e.high) }))
        .filter((r) => r.from < r.to);
      if (ranges.length === 0) return 0;

      const records = await withTimeout(this.read(dlq, ranges, admin), this.options.timeoutMs ?? 60_000, `reading ${dlq} did not finish in time`);
      const mine = records.filter((m) => recordOf(m)?.subscriptionId === target.subscriptionId);
      if (mine.length === 0) return 0;
      const producer = await this.connectedProducer();
      await producer.send({
        topic: egressTopic(target.partnerId, type),
        acks: -1,
        messages: mine.map((m) => ({ key: m.key, value: m.value, headers: freshHeaders(m.headers) })),
      });
      return mine.length;
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.producer) await (await this.producer).disconnect();
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const p = this.egressKafka.producer(durableProducerConfig);
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  /** Every record in the ranges, read with a consumer group of this replay's own. */
  private async read(topic: string, ranges: { partition: number; from: bigint; to: bigint }[], admin: ReturnType<Kafka["admin"]>): Promise<Message[]> {
    const groupId = `${consumerGroups.adminReplay}-${randomUUID()}`;
    const consumer = this.egressKafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    // Keyed by position: a seek applied after the first fetch may deliver a record twice.
    const out = new Map<string, Message>();
    const remaining = new Map(ranges.map((r) => [r.partition, r]));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const range = remaining.get(partition);
              if (!range) return;
              const offset = BigInt(message.offset);
              if (offset >= range.from && offset < range.to) out.set(`${partition}:${message.offset}`, { key: message.key, value: message.value, headers: message.headers ?? {} });
              if (offset >= range.to - 1n) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .then(() => {
            for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: r.from.toString() });
          }, reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return [...out.values()];
  }
}

function recordOf(message: Message): Partial<DeliveryRecord> | undefined {
  try {
    return JSON.parse(String(message.value)) as Partial<DeliveryRecord>;
  } catch {
    return undefined;
  }
}

function freshHeaders(headers: IHeaders | undefined): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!retryStateHeaders.includes(name) && value !== undefined) out[name] = value;
  }
  return out;
}
