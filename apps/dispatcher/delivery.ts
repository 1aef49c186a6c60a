// One delivery record in, its outcome made durable: the heart of the dispatcher.
//
//   subscription (cached) -> claim the status item (no-op if it already succeeded)
//   -> sign -> one attempt through the endpoint's circuit breaker
//   -> success: status `succeeded`
//   -> 410: status `failed`, subscription `disabled`, no more attempts, no DLQ (the partner
//      said the endpoint is gone; a replay after re-enabling goes through /v1/dlq/replay only
//      for deliveries that used up their attempts)
//   -> anything else: status `retrying` and a record on the next retry tier, or after the
//      last attempt status `failed` and a record on `wh.dlq.{event}`
// A retry's status is written before its record is produced (a success meanwhile stops it);
// a DLQ record is produced before the status says `failed` (so `failed` means replayable).
// `handle` resolves only when both are done, so the caller can then commit the offset; it
// calls `attempted` as soon as the request is answered (or known not to be sent), so the
// caller may send the source's next event while this outcome is still being written. The
// per-subscription delivered/failed counters are added by the caller once per batch, from
// what `handle` returns. An open circuit counts as an
// attempt (result "circuit_open", no request sent) so a long outage still ends in the DLQ.
// With a tracer, each attempt is one CLIENT span `deliver`, child of the context the record
// carries (the processor's `fanout` span), from signing until the attempt's result is known;
// without one, no span work at all. Tracing changes nothing else here.

import { setTimeout as sleep } from "node:timers/promises";
import { SpanKind, type Span, type Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { DeliveryAttempt, DeliveryRecord } from "../../model/records";
import type { DeliveryStatus } from "../../model/tables";
import { kafkaHeaders } from "../../model/topics";
import { eventLogger } from "../shared/logging";
import { endSpan, startSpanFrom } from "../shared/tracing";
import type { EndpointBreakers } from "./breaker";
import { attemptRecord, type AttemptOutcome, type DeliveryRequest } from "./deliver";
import type { DispatcherMetrics } from "./metrics";
import { dlqTopicOf, nextStep, type RetrySchedule } from "./schedule";
import { signWebhook, webhookId } from "./signer";
import type { DeliveryStatusStore, RecordSource } from "./status-store";
import type { SubscriptionDirectory } from "./subscriptions";

export interface OutgoingRecord {
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

export interface DeliveryPorts {
  subscriptions: SubscriptionDirectory;
  status: DeliveryStatusStore;
  breakers: EndpointBreakers;
  deliverer: { attempt(req: DeliveryRequest): Promise<AttemptOutcome> };
  /** Produces one record with acks=all; resolves once it is durable. */
  publish(topic: string, record: OutgoingRecord): Promise<void>;
  /** Creates a DLQ topic when missing (auto topic creation is off). */
  ensureDlqTopic(topic: string): Promise<void>;
  schedule: RetrySchedule;
  /** How long a claim holds the pair: longer than one attempt can take (its timeout plus a margin). */
  leaseMs: number;
  metrics: DispatcherMetrics;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /** Set when spans are exported: one `deliver` span per attempt. */
  tracer?: Tracer;
}

export interface IncomingDelivery {
  record: DeliveryRecord;
  key: string | undefined;
  headers: Record<string, string>;
  source: RecordSource;
  /** Attempts made before this one (0 on the egress topic). */
  attemptsMade: number;
}

export type HandledAs = "succeeded" | "retry_scheduled" | "dead_lettered" | "disabled" | "inactive" | "duplicate" | "unknown_subscription";

export class InvalidDeliveryRecord extends Error {
  constructor(reason: string) {
    super(`invalid delivery record: ${reason}`);
    this.name = "InvalidDeliveryRecord";
  }
}

/** Reads a record of an egress, retry or DLQ topic, naming the field at fault. */
export function parseDeliveryRecord(value: Buffer | null, headers: Record<string, string>): { record: DeliveryRecord; attemptsMade: number } {
  if (!value) throw new InvalidDeliveryRecord("empty value");
  let r: Partial<DeliveryRecord>;
  try {
    r = JSON.parse(value.toString("utf8")) as Partial<DeliveryRecord>;
  } catch (err) {
    throw new InvalidDeliveryRecord(`value is not JSON (${(err as Error).message})`);
  }
  for (const field of ["eventId", "subscriptionId", "partnerId", "eventType", "type", "timestamp"] as const) {
    if (typeof r[field] !== "string" || r[field] === "") throw new InvalidDeliveryRecord(`${field} must be a non-empty string`);
  }
  const attemptText = headers[kafkaHeaders.attempt] ?? "0";
  if (!/^[0-9]+$/.test(attemptText)) throw new InvalidDeliveryRecord(`header ${kafkaHeaders.attempt} must be a whole number, got "${attemptText}"`);
  return { record: r as DeliveryRecord, attemptsMade: Number(attemptText) };
}

/** The webhook body: `{ type, timestamp, data }`. */
export function webhookBody(record: DeliveryRecord): string {
  return JSON.stringify({ type: record.type, timestamp: record.timestamp, data: record.data ?? null });
}

export class DeliveryService {
  private readonly now: () => number;

  constructor(private readonly ports: DeliveryPorts) {
    this.now = ports.now ?? Date.now;
  }

  async handle(d: IncomingDelivery, attempted: () => void = () => undefined): Promise<HandledAs> {
    const { record } = d;
    const p = this.ports;
    const log = eventLogger(p.logger, record.eventId, { subscriptionId: record.subscriptionId });
    const subscription = await p.subscriptions.get(record.subscriptionId);
    if (!subscription) {
      log.warn("no such subscription: record skipped");
      return "unknown_subscription";
    }
    const id = webhookId(record.eventId, record.subscriptionId);
    let claim = await p.status.claim(record, id, d.source, p.leaseMs);
    while (claim.kind === "leased") {
      // Another instance is attempting this pair right now: wait for its outcome or its lease to run out.
      log.info({ leaseUntil: new Date(claim.untilMs).toISOString() }, "delivery in flight elsewhere: waiting");
      await sleep(Math.min(Math.max(claim.untilMs - this.now(), 50), p.leaseMs));
      claim = await p.status.claim(record, id, d.source, p.leaseMs);
    }
    if (claim.kind === "already_succeeded") {
      p.metrics.skippedDuplicates.inc();
      return "duplicate";
    }
    const attemptNo = d.attemptsMade + 1;
    const startedAt = new Date(this.now());
    const span = p.tracer ? deliverSpan(p.tracer, d, attemptNo) : undefined;

    if (subscription.status !== "approved") {
      const attempt: DeliveryAttempt = { attempt: attemptNo, at: startedAt.toISOString(), duration_ms: 0, result: "subscription_inactive", error: `subscription is ${subscription.status}` };
      if (span) endDeliverSpan(span, attempt);
      p.metrics.attempts.inc({ result: attempt.result });
      await p.status.recordAttempt(record, attempt, "failed");
      return "inactive";
    }

    const body = webhookBody(record);
    let guarded;
    try {
      const headers = signWebhook({ webhookId: id, body, secrets: subscription.secrets, now: startedAt });
      guarded = await p.breakers.run(subscription.url, () => p.deliverer.attempt({ url: subscription.url, body, headers: { ...headers } }));
    } catch (err) {
      if (span) endSpan(span, err);
      throw err;
    }
    attempted();
    const outcome: AttemptOutcome = guarded.ran
      ? guarded.outcome
      : { kind: "retry", result: "circuit_open", durationMs: 0, error: `circuit open for ${new URL(subscription.url).origin}: no request sent` };
    p.metrics.attempts.inc({ result: outcome.result });
    if (guarded.ran) p.metrics.attemptSeconds.observe({ result: outcome.result }, outcome.durationMs / 1000);
    const attempt = attemptRecord(attemptNo, startedAt, outcome);
    if (span) endDeliverSpan(span, attempt);

    if (outcome.kind === "success") {
      await p.status.recordAttempt(record, attempt, "succeeded");
      p.metrics.endToEndSeconds.observe(Math.max(0, this.now() - Date.parse(record.receivedAt)) / 1000);
      return "succeeded";
    }
    if (outcome.kind === "gone") {
      await p.status.recordAttempt(record, attempt, "failed");
      await p.subscriptions.disable(subscription, `receiver answered 410 Gone at ${startedAt.toISOString()}`);
      log.warn({ url: subscription.url }, "receiver answered 410: subscription disabled");
      return "disabled";
    }

    const step = nextStep(p.schedule, {
      attemptsMade: attemptNo,
      now: this.now(),
      ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      ...(p.random ? { random: p.random } : {}),
    });
    const carried: Record<string, string> = { ...d.headers, [kafkaHeaders.attempt]: String(attemptNo) };
    delete carried[kafkaHeaders.notBefore];
    if (step.kind === "retry") {
      const status: DeliveryStatus = "retrying";
      if ((await p.status.recordAttempt(record, attempt, status, new Date(step.notBefore))) === "already_succeeded") return "duplicate";
      await p.publish(step.tier.topic, { key: d.key, value: JSON.stringify(record), headers: { ...carried, [kafkaHeaders.notBefore]: String(step.notBefore) } });
      p.metrics.retries.inc({ tier: step.tier.label });
      return "retry_scheduled";
    }
    // DLQ record first, then the status: whoever sees `failed` finds the record to replay.
    const dlq = dlqTopicOf(record.eventType);
    await p.ensureDlqTopic(dlq);
    await p.publish(dlq, { key: d.key, value: JSON.stringify(record), headers: carried });
    if ((await p.status.recordAttempt(record, attempt, "failed")) === "already_succeeded") return "duplicate";
    p.metrics.dlq.inc({ event_type: record.eventType });
    log.warn({ attempts: attemptNo, lastResult: outcome.result }, "delivery failed after the last attempt: sent to the DLQ");
    return "dead_lettered";
  }
}

function deliverSpan(tracer: Tracer, d: IncomingDelivery, attemptNo: number): Span {
  return startSpanFrom(tracer, "deliver", SpanKind.CLIENT, d.headers, {
    "webhooks.event_id": d.record.eventId,
    "webhooks.subscription_id": d.record.subscriptionId,
    "webhooks.partner_id": d.record.partnerId,
    "webhooks.delivery.attempt": attemptNo,
    "messaging.destination.name": d.source.topic,
  });
}

/** Result and HTTP status of the attempt; any result but success is an error. */
function endDeliverSpan(span: Span, attempt: DeliveryAttempt): void {
  span.setAttribute("webhooks.delivery.result", attempt.result);
  if (attempt.status_code !== undefined) span.setAttribute("http.response.status_code", attempt.status_code);
  endSpan(span, attempt.result === "success" ? undefined : (attempt.error ?? attempt.result));
}
