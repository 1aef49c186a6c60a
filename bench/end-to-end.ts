// 3. End to end: the open-loop generator offers single CloudEvents to the gateway at a fixed
// rate; each event goes gateway -> ingress topic -> processor -> egress topic(s) ->
// dispatcher -> receiver. Per delivery, two latencies go into HDR histograms:
// - ingest-to-delivery: from the gateway's 202 to the receiver's arrival;
// - from-intended: from the moment the generator was due to send the event to the arrival,
//   which is the coordinated-omission-corrected latency (a stalled gateway or generator
//   cannot hide the time its queued events waited).
// After the load, the run drains; then the ledger accounts for every delivery owed.

import { Pool } from "undici";
import type { Admin } from "kafkajs";
import { consumerGroups, dlqTopic, egressTopic, ingressTopic, retryTopic } from "../model/topics";
import { benchCloudEvent, benchDomain } from "./payload";
import type { BenchReceiver } from "./receiver";
import type { Subscription } from "./tenant";
import { LatencyHistogram, type LatencySummary } from "./histogram";
import { closeLedger, inFlightFromLag, type Ledger } from "./ledger";
import { runOpenLoop } from "./open-loop";
import { consumerLag, highWatermarksIfExists } from "./topic-offsets";
import { UsageWindow, type UsageReport } from "./proc-usage";

export interface EndToEndStep {
  label: string;
  fanOut: number;
  offeredPerSecond: number;
  seconds: number;
  scheduled: number;
  /** Requests the generator could not start before the time was up (more than maxInFlight outstanding). */
  notSent: number;
  accepted: number;
  rejected: Record<string, number>;
  /** Accepted events over the time from the first send to the last 202 (at least the step's length). */
  acceptedPerSecond: number;
  /** Deliveries per second from the first send to the last arrival. */
  deliveredPerSecond: number;
  sustained: boolean;
  drainSeconds: number;
  ingestMs: LatencySummary;
  /** From the 202 to the arrival; a delivery that arrived before its 202 counts as 0 (see deliveredBeforeAck). */
  ingestToDeliveryMs: LatencySummary;
  /**
   * Deliveries that reached the receiver before the producer had its 202: the gateway answers
   * only after a second DynamoDB write (the idempotency confirm) that follows the durable write.
   */
  deliveredBeforeAck: number;
  fromIntendedMs: LatencySummary;
  duplicates: number;
  unverified: number;
  ledger: Ledger;
  usage: UsageReport;
}

export interface EndToEndTarget {
  event: string;
  subscriptions: Subscription[];
  /** Receiver endpoint per subscription, same order. */
  endpoints: string[];
}

export interface EndToEndOptions {
  gatewayUrl: string;
  producerKey: string;
  kafkaAdmin: Admin;
  receiver: BenchReceiver;
  retryTiers: string[];
  maxInFlight: number;
  log: (line: string) => void;
}

const now = () => performance.timeOrigin + performance.now();

async function lagOf(o: EndToEndOptions, target: EndToEndTarget): Promise<number> {
  const type = { domain: benchDomain, event: target.event };
  const [ingress, egress, retry] = await Promise.all([
    consumerLag(o.kafkaAdmin, consumerGroups.processor, [ingressTopic(type)]),
    consumerLag(o.kafkaAdmin, consumerGroups.dispatcher, target.subscriptions.map((s) => egressTopic(s.partnerId, type))),
    consumerLag(o.kafkaAdmin, consumerGroups.dispatcherRetry, o.retryTiers.map((t) => retryTopic(t))),
  ]);
  return inFlightFromLag({ ingress, egress, retry }, target.subscriptions.length);
}

export async function endToEndStep(o: EndToEndOptions, target: EndToEndTarget, rate: number, seconds: number, drainTimeoutMs: number, label: string): Promise<EndToEndStep> {
  const fanOut = target.subscriptions.length;
  for (const e of target.endpoints) o.receiver.reset(e);
  const dlq = dlqTopic({ domain: benchDomain, event: target.event });
  const dlqBefore = await highWatermarksIfExists(o.kafkaAdmin, dlq);
  const pool = new Pool(o.gatewayUrl, { connections: o.maxInFlight, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const headers = { authorization: `Bearer ${o.producerKey}`, "content-type": "application/cloudevents+json" };
  const accepted = new Map<string, { intended: number; acceptedAt: number }>();
  let lastAcceptedAt = 0;
  const rejected: Record<string, number> = {};
  const ingest = new LatencyHistogram();
  const runId = `${label}-${Date.now().toString(36)}`;

  const usage = new UsageWindow();
  const started = now();
  const loop = await runOpenLoop({
    ratePerSecond: rate,
    seconds,
    maxInFlight: o.maxInFlight,
    send: async (index, intended) => {
      const reference = `${runId}-${index}`;
      const body = JSON.stringify(benchCloudEvent(target.event, reference, `urn:bench:source-${index % 64}`));
      try {
        const res = await pool.request({ path: "/v1/events", method: "POST", headers, body });
        await res.body.dump();
        const at = now();
        if (res.statusCode === 202) {
          accepted.set(reference, { intended, acceptedAt: at });
          lastAcceptedAt = Math.max(lastAcceptedAt, at);
          ingest.recordMs(at - intended);
        } else rejected[res.statusCode] = (rejected[res.statusCode] ?? 0) + 1;
      } catch (err) {
        const kind = (err as { code?: string }).code ?? "error";
        rejected[kind] = (rejected[kind] ?? 0) + 1;
      }
    },
  });
  const loadEnded = now();
  await pool.close();
  const drained = await o.receiver.waitFor(target.endpoints, accepted.size, drainTimeoutMs);
  const drainSeconds = (now() - loadEnded) / 1000;
  const stepUsage = usage.end();

  const toDelivery = new LatencyHistogram();
  const fromIntended = new LatencyHistogram();
  let delivered = 0;
  let deliveredBeforeAck = 0;
  let duplicates = 0;
  let unverified = 0;
  let lastArrival = started;
  for (const endpoint of target.endpoints) {
    const tally = o.receiver.tally(endpoint);
    duplicates += tally.duplicates;
    unverified += tally.unverified;
    for (const [reference, sent] of accepted) {
      const at = tally.firstArrival.get(reference);
      if (at === undefined) continue;
      delivered++;
      lastArrival = Math.max(lastArrival, at);
      if (at < sent.acceptedAt) deliveredBeforeAck++;
      toDelivery.recordMs(Math.max(0, at - sent.acceptedAt));
      fromIntended.recordMs(at - sent.intended);
    }
  }
  const failed = (await highWatermarksIfExists(o.kafkaAdmin, dlq)) - dlqBefore;
  const ledger = closeLedger({ published: accepted.size * fanOut, delivered, failed, inFlight: drained ? 0 : await lagOf(o, target) });
  const loadSeconds = (loadEnded - started) / 1000;
  const acceptedPerSecond = Math.round(accepted.size / Math.max(seconds, (lastAcceptedAt - started) / 1000));
  const step: EndToEndStep = {
    label,
    fanOut,
    offeredPerSecond: rate,
    seconds: Math.round(loadSeconds * 10) / 10,
    scheduled: loop.scheduled,
    notSent: loop.notSent,
    accepted: accepted.size,
    rejected,
    acceptedPerSecond,
    deliveredPerSecond: delivered > 0 ? Math.round(delivered / ((lastArrival - started) / 1000)) : 0,
    sustained: isSustained({ offeredPerSecond: rate, acceptedPerSecond, drained, drainSeconds }),
    drainSeconds: Math.round(drainSeconds * 10) / 10,
    ingestMs: ingest.summary(),
    ingestToDeliveryMs: toDelivery.summary(),
    deliveredBeforeAck,
    fromIntendedMs: fromIntended.summary(),
    duplicates,
    unverified,
    ledger,
    usage: stepUsage,
  };
  o.log(
    `e2e ${label}: offered ${rate}/s fan-out ${fanOut}: accepted ${acceptedPerSecond}/s (not sent ${loop.notSent}, rejected ${JSON.stringify(rejected)}), ` +
      `delivered ${step.deliveredPerSecond}/s, 202->delivery p50 ${step.ingestToDeliveryMs.p50} p99 ${step.ingestToDeliveryMs.p99} ms, ` +
      `drain ${step.drainSeconds}s, ledger ${ledger.balanced ? "balances" : `MISSING ${ledger.missing}`} (${ledger.delivered}+${ledger.inFlight}+${ledger.failed}/${ledger.published})`,
  );
  return step;
}

/**
 * Kept up: the offered rate was accepted (not merely queued at the gateway), and the
 * deliveries kept pace, catching up within a second of the end of the load (a longer drain
 * means a backlog grew during the step).
 */
export function isSustained(s: { offeredPerSecond: number; acceptedPerSecond: number; drained: boolean; drainSeconds: number }): boolean {
  return s.acceptedPerSecond >= 0.95 * s.offeredPerSecond && s.drained && s.drainSeconds <= 1;
}

/** Raises the offered rate step by step until a step is not sustained; the last sustained rate is the saturation point. */
export async function rampToSaturation(
  o: EndToEndOptions,
  target: EndToEndTarget,
  ramp: { startPerSecond: number; factor: number; seconds: number; maxSteps: number; drainTimeoutMs: number },
): Promise<{ steps: EndToEndStep[]; saturationPerSecond: number }> {
  const steps: EndToEndStep[] = [];
  let rate = ramp.startPerSecond;
  let saturation = 0;
  for (let i = 0; i < ramp.maxSteps; i++) {
    const step = await endToEndStep(o, target, rate, ramp.seconds, ramp.drainTimeoutMs, `ramp-${rate}`);
    steps.push(step);
    if (!step.sustained) break;
    saturation = rate;
    rate = Math.round(rate * ramp.factor);
  }
  return { steps, saturationPerSecond: saturation };
}
