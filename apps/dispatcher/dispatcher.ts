// The dispatcher's Kafka side: two consumer groups feeding DeliveryService.
//
// - egress: every `wh.egress.*` topic (PatternConsumer picks up new partners' topics).
// - retry: every tier topic of the schedule. Records in a tier topic are due in the order
//   they were written, so the consumer looks only at a partition's head: when the head is not
//   due yet it pauses that partition (consumer.pause) and resumes it on a timer at the due
//   time. No busy loop, and since each delay has its own topic, a retry due in 1 s never
//   waits behind one due in 4 s.
//
// Per partition batch, records run with at most DELIVERY_CONCURRENCY requests in flight;
// records with the same key (the source's partition key) are sent one after another in offset
// order: the next is sent once the previous one's request is answered, while that one's
// outcome is still being written. The order promised: a source's events reach a subscription
// in order on their first attempt; a retry is by nature delivered after events that came later.
//
// Offsets: a batch's offset is committed only after every record before it has its outcome
// durable (status written, retry/DLQ record acknowledged). If one record fails (DynamoDB or
// Kafka unavailable) the commit stops before it and the batch is read again from there;
// records that had succeeded meanwhile are then no-ops thanks to the status store.

import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from "kafkajs";
import { durableProducerConfig } from "../shared/kafka";
import type { Logger } from "pino";
import { consumerGroups, kafkaHeaders, topicPattern } from "../../model/topics";
import { PatternConsumer } from "../shared/pattern-consumer";
import type { SubscriptionCounter } from "../shared/subscription-counters";
import { ensureTopic, type TopicSizing } from "../shared/topic-admin";
import { DeliveryService, InvalidDeliveryRecord, parseDeliveryRecord, type DeliveryPorts, type HandledAs, type OutgoingRecord } from "./delivery";
import { KeyedLimiter } from "./keyed-limiter";
import { retryTopics, type RetrySchedule } from "./schedule";
import { textHeaders } from "../shared/kafka-headers";

export interface DispatcherOptions {
  kafka: Kafka;
  /** Everything DeliveryService needs except what this class provides (publish, DLQ topics). */
  ports: Omit<DeliveryPorts, "publish" | "ensureDlqTopic">;
  /** Adds to a per-subscription counter in event_subscription_kafka (once per batch, before the commit). */
  addCounts(counter: SubscriptionCounter, counts: ReadonlyMap<string, number>): Promise<void>;
  schedule: RetrySchedule;
  /** DELIVERY_CONCURRENCY: records in flight per partition. */
  concurrency: number;
  topicSizing: TopicSizing;
  topicRefreshMs: number;
  sessionTimeoutMs: number;
  logger: Logger;
  /** Partitions handled at once per consumer. */
  partitionsConsumedConcurrently?: number;
  /** Defaults: the model's groups and every egress topic; tests narrow them to stay apart. */
  groupIds?: { egress: string; retry: string };
  egressPattern?: RegExp;
  now?: () => number;
}

const retryPollMs = 250;


export class Dispatcher {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly service: DeliveryService;
  private readonly egress: PatternConsumer;
  private retry: Consumer | undefined;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly dlqTopics = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.producer = opts.kafka.producer(durableProducerConfig);
    this.admin = opts.kafka.admin();
    this.service = new DeliveryService({
      ...opts.ports,
      publish: (topic, record) => this.publish(topic, record),
      ensureDlqTopic: (topic) => this.ensureDlqTopic(topic),
    });
    const groupIds = opts.groupIds ?? { egress: consumerGroups.dispatcher, retry: consumerGroups.dispatcherRetry };
    const consumerConfig = { sessionTimeout: opts.sessionTimeoutMs, heartbeatInterval: Math.floor(opts.sessionTimeoutMs / 10) };
    this.egress = new PatternConsumer({
      kafka: opts.kafka,
      pattern: opts.egressPattern ?? topicPattern("egress"),
      consumer: { groupId: groupIds.egress, ...consumerConfig },
      refreshMs: opts.topicRefreshMs,
      logger: opts.logger,
      run: () => this.runConfig(),
    });
    // A resumed partition is fetched with the next fetch request; a long poll on the other
    // (paused or idle) partitions would hold that up to maxWaitTime, so the retry consumer
    // polls briefly: a retry is late by at most this much.
    this.retry = opts.kafka.consumer({ groupId: groupIds.retry, ...consumerConfig, maxWaitTimeInMs: retryPollMs });
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    const tiers = retryTopics(this.opts.schedule);
    for (const topic of tiers) await ensureTopic(this.admin, topic, "retry", this.opts.topicSizing);
    await this.retry!.connect();
    await this.retry!.subscribe({ topics: tiers, fromBeginning: true });
    await this.retry!.run(this.runConfig());
    await this.egress.start();
  }

  /** Egress topics read now. */
  egressTopics(): readonly string[] {
    return this.egress.subscribedTopics();
  }

  refreshTopics(): Promise<void> {
    return this.egress.refreshNow();
  }

  /** Stops intake; batches in hand finish and commit; then disconnects. */
  async stop(): Promise<void> {
    await this.egress.stop();
    await this.retry?.disconnect();
    this.retry = undefined;
    for (const t of this.resumeTimers) clearTimeout(t);
    this.resumeTimers.clear();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  private runConfig() {
    return {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 8,
      eachBatch: (payload: EachBatchPayload) => this.handleBatch(payload),
    };
  }

  private async publish(topic: string, record: OutgoingRecord): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ key: record.key ?? null, value: record.value, headers: record.headers }] });
  }

  private ensureDlqTopic(topic: string): Promise<void> {
    let ensured = this.dlqTopics.get(topic);
    if (!ensured) {
      ensured = ensureTopic(this.admin, topic, "dlq", this.opts.topicSizing).then(() => undefined);
      ensured.catch(() => this.dlqTopics.delete(topic));
      this.dlqTopics.set(topic, ensured);
    }
    return ensured;
  }

  /** delivered_count and failed_count of the settled records, one write per subscription. */
  private async addCounts(settled: PromiseSettledResult<{ subscriptionId: string; handled: HandledAs } | undefined>[]): Promise<void> {
    const delivered = new Map<string, number>();
    const failed = new Map<string, number>();
    for (const r of settled) {
      if (r.status !== "fulfilled" || !r.value) continue;
      const into = r.value.handled === "succeeded" ? delivered : r.value.handled === "dead_lettered" ? failed : undefined;
      into?.set(r.value.subscriptionId, (into.get(r.value.subscriptionId) ?? 0) + 1);
    }
    if (delivered.size > 0) await this.opts.addCounts("delivered_count", delivered);
    if (failed.size > 0) await this.opts.addCounts("failed_count", failed);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, pause }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty()) return;
    const now = this.now();
    const due = [];
    let waitUntil: number | undefined;
    for (const message of batch.messages) {
      const headers = textHeaders(message.headers);
      const notBefore = Number(headers[kafkaHeaders.notBefore] ?? 0);
      if (notBefore > now) {
        waitUntil = notBefore;
        break;
      }
      due.push({ message, headers });
    }

    const limiter = new KeyedLimiter(this.opts.concurrency);
    const results = await Promise.allSettled(
      due.map(({ message, headers }) => {
        const key = message.key?.toString("utf8");
        return limiter.run(key, async (release): Promise<{ subscriptionId: string; handled: HandledAs } | undefined> => {
          let parsed;
          try {
            parsed = parseDeliveryRecord(message.value, headers);
          } catch (err) {
            if (!(err instanceof InvalidDeliveryRecord)) throw err;
            this.opts.logger.error({ err, topic: batch.topic, partition: batch.partition, offset: message.offset }, "skipping unreadable delivery record");
            return undefined;
          }
          const handled = await this.service.handle(
            { ...parsed, key, headers, source: { topic: batch.topic, partition: batch.partition, offset: message.offset } },
            release,
          );
          await heartbeat().catch(() => undefined);
          return { subscriptionId: parsed.record.subscriptionId, handled };
        });
      }),
    );

    const failed = results.findIndex((r) => r.status === "rejected");
    const done = failed === -1 ? due.length : failed;
    if (done > 0) {
      await this.addCounts(results.slice(0, done));
      const last = failed === -1 && waitUntil === undefined ? batch.lastOffset() : due[done - 1]!.message.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }] });
    }
    if (failed !== -1) throw (results[failed] as PromiseRejectedResult).reason;
    if (waitUntil !== undefined) {
      const resume = pause();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        resume();
      }, Math.max(0, waitUntil - this.now()));
      this.resumeTimers.add(timer);
    }
  }
}
