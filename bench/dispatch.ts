// 2. Dispatcher: a backlog of N egress records, written straight onto a subscription's egress
// topic in the processor's record format (apps/processor/fanout.ts: DeliveryRecord value,
// event_id / subscription_id / content-type headers, the source as key), while the dispatcher
// process is paused (SIGSTOP, well inside its consumer session timeout). It is then resumed
// and the backlog timed until every record arrived at the receiver, verified. Then a plain
// undici POST loop sends the same number of same-size signed webhooks to the same receiver
// at the dispatcher's concurrency.

import { randomUUID } from "node:crypto";
import type { Admin, Producer } from "kafkajs";
import type { DeliveryRecord } from "../model/records";
import { consumerGroups, dlqTopic, egressTopic, kafkaHeaders, retryTopic } from "../model/topics";
import { benchDomain, benchEvents, benchEventType, benchOrder } from "./payload";
import type { BenchReceiver } from "./receiver";
import type { Subscription } from "./tenant";
import { closeLedger, type Ledger } from "./ledger";
import { consumerLag, highWatermarksIfExists } from "./topic-offsets";
import { UsageWindow, type UsageReport } from "./proc-usage";
import { undiciPostLoop, type LoopResult } from "./undici-loop";
import { bucketQuantile, parseBuckets, parseSumCount, scrape, subtractBuckets } from "./prometheus";
import { writeRequestMetricNames } from "../apps/shared/metrics";

export interface DispatchResult {
  backlog: number;
  /** Records in flight at once in the dispatcher: partitions × DELIVERY_CONCURRENCY. */
  concurrency: number;
  dispatcher: {
    seconds: number;
    perSecond: number;
    /** One attempt's duration, from the dispatcher's own histogram (bucket upper bounds). */
    attemptMs: { p50?: number; p99?: number };
    duplicates: number;
    unverified: number;
    drained: boolean;
    /** The dispatcher's group commit during the drain: DynamoDB transactions and writes (claims, outcomes, counters). */
    dynamodb: { transactions: number; writes: number };
    usage: UsageReport;
  };
  baseline: LoopResult & { usage: UsageReport };
  /** dispatcher deliveries/s ÷ baseline requests/s */
  ratio: number;
  ledger: Ledger;
}

export interface DispatchOptions {
  producer: Producer;
  kafkaAdmin: Admin;
  receiver: BenchReceiver;
  subscription: Subscription;
  endpoint: string;
  dispatcherPid: number;
  dispatcherMetricsUrl: string;
  backlog: number;
  concurrency: number;
  retryTiers: string[];
  drainTimeoutMs: number;
  log: (line: string) => void;
  /** Called when the dispatcher resumes; the function it returns when the backlog is drained (the bench profiles the drain). */
  onDrain?: () => Promise<() => Promise<void>>;
}

const eventType = benchEventType(benchEvents.dispatch);
const attemptMetric = "webhook_delivery_attempt_duration_seconds";
const transactionMetric = writeRequestMetricNames.writes;

function deliveryRecords(subscription: Subscription, count: number, prefix: string) {
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const eventId = randomUUID();
    const record: DeliveryRecord = {
      eventId,
      subscriptionId: subscription.id,
      partnerId: subscription.partnerId,
      eventType,
      receivedAt: now,
      type: eventType,
      timestamp: now,
      data: benchOrder(`${prefix}-${i}`),
    };
    return {
      key: `urn:bench:source-${i % 64}`,
      value: JSON.stringify(record),
      headers: { [kafkaHeaders.contentType]: "application/json", [kafkaHeaders.eventId]: eventId, [kafkaHeaders.subscriptionId]: subscription.id },
    };
  });
}

async function produce(producer: Producer, topic: string, messages: ReturnType<typeof deliveryRecords>): Promise<void> {
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(i, i + 1000) }] });
  }
}

export async function benchDispatch(o: DispatchOptions): Promise<DispatchResult> {
  const topic = egressTopic(o.subscription.partnerId, { domain: benchDomain, event: benchEvents.dispatch });
  const dlq = dlqTopic({ domain: benchDomain, event: benchEvents.dispatch });

  // Warm-up: the dispatcher has picked up the new egress topic once these arrive.
  o.log("dispatch: warm-up (waits for the dispatcher to pick up the egress topic)");
  await produce(o.producer, topic, deliveryRecords(o.subscription, 50, "warmup"));
  if (!(await o.receiver.waitFor([o.endpoint], 50, 60_000))) throw new Error(`dispatch warm-up: the dispatcher did not deliver from ${topic} within 60 s`);
  o.receiver.reset(o.endpoint);

  const dlqBefore = await highWatermarksIfExists(o.kafkaAdmin, dlq);
  const scrapedBefore = await scrape(o.dispatcherMetricsUrl);
  const metricsBefore = parseBuckets(scrapedBefore, attemptMetric);
  const transactionsBefore = parseSumCount(scrapedBefore, transactionMetric);
  process.kill(o.dispatcherPid, "SIGSTOP");
  try {
    o.log(`dispatch: ${o.backlog} records onto ${topic} with the dispatcher paused`);
    await produce(o.producer, topic, deliveryRecords(o.subscription, o.backlog, "backlog"));
  } finally {
    process.kill(o.dispatcherPid, "SIGCONT");
  }
  const resumedAt = performance.timeOrigin + performance.now();
  const usage = new UsageWindow();
  const drainDone = await o.onDrain?.();
  const drained = await o.receiver.waitFor([o.endpoint], o.backlog, o.drainTimeoutMs);
  const dispatcherUsage = usage.end();
  await drainDone?.();
  const tally = o.receiver.tally(o.endpoint);
  const delivered = tally.firstArrival.size;
  const seconds = (tally.lastArrivalAt - resumedAt) / 1000;
  const scrapedAfter = await scrape(o.dispatcherMetricsUrl);
  const attempts = subtractBuckets(parseBuckets(scrapedAfter, attemptMetric), metricsBefore);
  const transactionsAfter = parseSumCount(scrapedAfter, transactionMetric);
  const dynamodb = { transactions: transactionsAfter.count - transactionsBefore.count, writes: transactionsAfter.sum - transactionsBefore.sum };
  const toMs = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

  const failed = (await highWatermarksIfExists(o.kafkaAdmin, dlq)) - dlqBefore;
  const lag =
    (await consumerLag(o.kafkaAdmin, consumerGroups.dispatcher, [topic])) +
    (await consumerLag(o.kafkaAdmin, consumerGroups.dispatcherRetry, o.retryTiers.map((t) => retryTopic(t))));
  const ledger = closeLedger({ published: o.backlog, delivered, failed, inFlight: lag });
  const perSecond = seconds > 0 ? Math.round(delivered / seconds) : 0;
  o.log(`dispatch: ${delivered}/${o.backlog} delivered in ${seconds.toFixed(1)} s = ${perSecond}/s; ledger ${ledger.balanced ? "balances" : `MISSING ${ledger.missing}`}`);

  o.log(`dispatch baseline: undici POST loop, ${o.backlog} requests, concurrency ${o.concurrency}`);
  const baselineEndpoint = "baseline";
  o.receiver.setSecret(baselineEndpoint, o.subscription.secret);
  const baselineUsage = new UsageWindow();
  const baseline = await undiciPostLoop(o.receiver.url(baselineEndpoint), o.subscription.secret, o.backlog, o.concurrency, eventType);
  const baselineResult = { ...baseline, usage: baselineUsage.end() };
  const baselineTally = o.receiver.tally(baselineEndpoint);
  if (baselineTally.unverified > 0) throw new Error(`dispatch baseline: ${baselineTally.unverified} requests did not verify at the receiver`);
  o.log(`dispatch baseline: ${baseline.perSecond}/s p99 ${baseline.latencyMs.p99} ms`);

  return {
    backlog: o.backlog,
    concurrency: o.concurrency,
    dispatcher: {
      seconds: Math.round(seconds * 100) / 100,
      perSecond,
      attemptMs: { p50: toMs(bucketQuantile(attempts, 0.5)), p99: toMs(bucketQuantile(attempts, 0.99)) },
      duplicates: tally.duplicates,
      unverified: tally.unverified,
      drained,
      dynamodb,
      usage: dispatcherUsage,
    },
    baseline: baselineResult,
    ratio: baseline.perSecond > 0 ? Math.round((perSecond / baseline.perSecond) * 1000) / 1000 : 0,
    ledger,
  };
}
