// The processor: ingress topics in, one delivery record per approved subscription out.
//
// Delivery guarantee: idempotent produce with the offset committed only after the ack.
// For each batch of an ingress partition: fan out, publish every egress record with one
// sendBatch (idempotent producer, acks=all), add the per-subscription counts, and only then
// commit the batch's offsets. A crash anywhere before the commit re-reads the batch, so no
// event is lost; the price is a possible duplicate egress record, which the dispatcher turns
// into no second delivery once one succeeded (conditional write on event_delivery_status)
// and receivers dedupe on the stable webhook-id otherwise.
// Why not Kafka transactions (consume-transform-produce with sendOffsets): the ingress and
// egress roles may be two MSK clusters, and a transaction cannot span clusters; sendOffsets
// commits the consumer's offsets through the producer's cluster.
//
// New ingress topics (a schema registered while running) are picked up by PatternConsumer,
// which restarts the group member on the longer topic list.
//
// With a tracer, each ingress record is one CONSUMER span `fanout`, child of the context the
// record carries (the gateway's `ingest` span), ended once its egress records are acknowledged
// and counted; its egress records carry its context. Without one, no span work at all.

import { SpanKind, type Span, type Tracer } from "@opentelemetry/api";
import type { Consumer, EachBatchPayload, KafkaMessage, Kafka, Producer, TopicMessages } from "kafkajs";
import { durableProducerConfig } from "../shared/kafka";
import type { Logger } from "pino";
import { consumerGroups, kafkaHeaders, topicPattern } from "../../model/topics";
import { headerText } from "../shared/kafka-headers";
import { PatternConsumer } from "../shared/pattern-consumer";
import { addToCounters } from "../shared/subscription-counters";
import { traceHeadersOf } from "../shared/trace-context";
import { endSpan, startSpanFrom } from "../shared/tracing";
import type { ItemWriter } from "../shared/item-writer";
import { egressMessages, parseIngressRecord, type EgressMessage } from "./fanout";
import type { ProcessorMetrics } from "./metrics";
import type { ApprovedSubscriptions } from "./subscriptions";

export interface ProcessorOptions {
  ingress: Kafka;
  egress: Kafka;
  /** DynamoDB writes (the counters), group-committed. */
  writes: ItemWriter;
  /** Physical name of event_subscription_kafka. */
  countersTable: string;
  subscriptions: ApprovedSubscriptions;
  metrics: ProcessorMetrics;
  logger: Logger;
  topicRefreshMs: number;
  sessionTimeoutMs: number;
  /** Ingress partitions handled at once by this instance. */
  partitionsConsumedConcurrently?: number;
  /** Defaults: the model's group and every ingress topic; tests narrow both to stay apart. */
  groupId?: string;
  pattern?: RegExp;
  /** Set when spans are exported: one `fanout` span per ingress record. */
  tracer?: Tracer;
}

function byTopic(messages: readonly EgressMessage[]): TopicMessages[] {
  const grouped = new Map<string, TopicMessages>();
  for (const m of messages) {
    let t = grouped.get(m.topic);
    if (!t) grouped.set(m.topic, (t = { topic: m.topic, messages: [] }));
    t.messages.push({ key: m.key, value: m.value, headers: m.headers });
  }
  return [...grouped.values()];
}

export class Processor {
  private readonly producer: Producer;
  private readonly consumer: PatternConsumer;

  constructor(private readonly opts: ProcessorOptions) {
    this.producer = opts.egress.producer(durableProducerConfig);
    this.consumer = new PatternConsumer({
      kafka: opts.ingress,
      pattern: opts.pattern ?? topicPattern("ingress"),
      consumer: { groupId: opts.groupId ?? consumerGroups.processor, sessionTimeout: opts.sessionTimeoutMs, heartbeatInterval: Math.floor(opts.sessionTimeoutMs / 10) },
      refreshMs: opts.topicRefreshMs,
      logger: opts.logger,
      run: (_consumer: Consumer) => ({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
        eachBatch: (payload) => this.handleBatch(payload),
      }),
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.start();
  }

  /** Ingress topics read now (refreshed every topicRefreshMs). */
  topics(): readonly string[] {
    return this.consumer.subscribedTopics();
  }

  refreshTopics(): Promise<void> {
    return this.consumer.refreshNow();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.producer.disconnect();
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty()) return;
    const timer = this.opts.metrics.batchSeconds.startTimer();
    const out: EgressMessage[] = [];
    const spans: Span[] | undefined = this.opts.tracer ? [] : undefined;
    try {
      for (const message of batch.messages) {
        const span = spans && fanoutSpan(this.opts.tracer!, batch.topic, batch.partition, message);
        let record;
        try {
          record = parseIngressRecord(message.value);
        } catch (err) {
          // Nothing can be delivered from a record that cannot be read; skipping it beats blocking the partition.
          this.opts.metrics.invalidRecords.inc();
          this.opts.logger.error({ err, topic: batch.topic, partition: batch.partition, offset: message.offset }, "skipping unreadable ingress record");
          if (span) endSpan(span, err);
          continue;
        }
        if (span) spans!.push(span);
        const subscriptions = await this.opts.subscriptions.get(record.event.type);
        const messages = egressMessages(record, message.key?.toString("utf8") ?? record.eventId, message.headers, subscriptions, span && traceHeadersOf(span.spanContext()));
        span?.setAttributes({ "webhooks.event_id": record.eventId, "webhooks.event_type": record.event.type, "webhooks.egress_records": messages.length });
        out.push(...messages);
        this.opts.metrics.events.inc({ event_type: record.event.type });
        if (messages.length > 0) this.opts.metrics.egressRecords.inc({ event_type: record.event.type }, messages.length);
      }

      if (out.length > 0) {
        await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(out) });
        const counts = new Map<string, number>();
        for (const m of out) counts.set(m.subscriptionId, (counts.get(m.subscriptionId) ?? 0) + 1);
        await addToCounters(this.opts.writes, this.opts.countersTable, "published_count", counts);
      }
    } catch (err) {
      if (spans) for (const span of spans) endSpan(span, err);
      // Nothing is committed: the batch is read again, and its partition waits until it goes through (a missing egress topic, DynamoDB down).
      this.opts.metrics.failedBatches.inc({ topic: batch.topic });
      this.opts.logger.warn({ err, topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset() }, "ingress batch failed: it will be read again");
      throw err;
    }
    if (spans) for (const span of spans) endSpan(span);

    const last = batch.lastOffset();
    resolveOffset(last);
    await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }] });
    await heartbeat();
    timer();
  }
}

/** The `fanout` span of one ingress record, child of the context the record carries. */
function fanoutSpan(tracer: Tracer, topic: string, partition: number, message: KafkaMessage): Span {
  const carrier = { traceparent: headerText(message.headers, kafkaHeaders.traceparent), tracestate: headerText(message.headers, kafkaHeaders.tracestate) };
  return startSpanFrom(tracer, "fanout", SpanKind.CONSUMER, carrier, {
    "messaging.system": "kafka",
    "messaging.operation.type": "process",
    "messaging.destination.name": topic,
    "messaging.destination.partition.id": String(partition),
    "messaging.kafka.offset": Number(message.offset),
  });
}
