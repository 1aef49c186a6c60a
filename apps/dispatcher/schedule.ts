// Retry tiers: DELIVERY_RETRY_SCHEDULE, e.g. `5s,5m,30m,2h,5h,10h,10h`, is the wait before
// each retry. Attempt 1 comes from the egress topic; a failed attempt n (n <= tiers) goes to
// a retry tier topic `wh.retry.{label}`; a failed attempt tiers+1 goes to `wh.dlq.{event}`.
//
// Every record in a tier topic waits that tier's delay (with jitter) from when it was
// written, so due times rise along a partition and the tier consumer only ever waits for its
// head: nothing due soon sits behind something due later. Tiers with the same delay share
// a topic.
//
// Retry-After (429/503) is honoured within the schedule: the wait is the larger of the
// scheduled delay and Retry-After, rounded up to the nearest tier delay so the record can
// go into that tier's topic without breaking the rule above, and never longer than the
// longest tier. Attempts are counted by the record, not by the topic, so a Retry-After that
// picks a longer tier does not use up extra attempts.

import { dlqTopic, parseEventType, retryTopic } from "../../model/topics";

export const defaultRetrySchedule = "5s,5m,30m,2h,5h,10h,10h";
export const retryScheduleVariable = "DELIVERY_RETRY_SCHEDULE";
/** Jitter: each wait is the tier delay times a factor in [1 - ratio, 1 + ratio]. */
export const defaultJitterRatio = 0.1;

export interface RetryTier {
  /** 1-based position in the schedule. */
  index: number;
  label: string;
  delayMs: number;
  topic: string;
}

export interface RetrySchedule {
  tiers: readonly RetryTier[];
  /** 1 (the first delivery) + one per tier. */
  maxAttempts: number;
}

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const token = /^([0-9]+)(ms|s|m|h|d)$/;

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}

export function parseRetrySchedule(text: string, variable: string = retryScheduleVariable): RetrySchedule {
  const parts = text.split(",").map((p) => p.trim());
  if (text.trim() === "") throw new ScheduleError(`${variable} is empty; expected comma-separated delays such as ${defaultRetrySchedule}`);
  const tiers = parts.map((part, i): RetryTier => {
    const m = token.exec(part);
    if (!m) {
      throw new ScheduleError(
        `${variable}: "${part}" (position ${i + 1}) is not a delay; expected a whole number followed by ms, s, m, h or d, as in ${defaultRetrySchedule}`,
      );
    }
    const amount = Number(m[1]);
    const unit = m[2] as keyof typeof unitMs;
    if (amount <= 0) throw new ScheduleError(`${variable}: "${part}" (position ${i + 1}) must be greater than zero`);
    const label = `${amount}${unit}`;
    return { index: i + 1, label, delayMs: amount * unitMs[unit], topic: retryTopic(label) };
  });
  return { tiers, maxAttempts: tiers.length + 1 };
}

/** The distinct retry topics of a schedule, in schedule order. */
export function retryTopics(schedule: RetrySchedule): string[] {
  return [...new Set(schedule.tiers.map((t) => t.topic))];
}

/** The tier of a retry topic (the first with that topic), for consumers of that topic. */
export function tierOfTopic(schedule: RetrySchedule, topic: string): RetryTier | undefined {
  return schedule.tiers.find((t) => t.topic === topic);
}

export type NextStep =
  | { kind: "retry"; tier: RetryTier; delayMs: number; notBefore: number }
  | { kind: "dlq" };

export interface NextStepInput {
  /** Attempts made so far, including the one that just failed. */
  attemptsMade: number;
  /** From a 429/503 Retry-After header, when present. */
  retryAfterMs?: number;
  now: number;
  jitterRatio?: number;
  /** In [0, 1); Math.random by default. */
  random?: () => number;
}

/** What happens after a failed attempt: the tier and time of the next one, or the DLQ. */
export function nextStep(schedule: RetrySchedule, input: NextStepInput): NextStep {
  if (input.attemptsMade >= schedule.maxAttempts) return { kind: "dlq" };
  const scheduled = schedule.tiers[Math.max(0, input.attemptsMade - 1)]!;
  let tier = scheduled;
  if (input.retryAfterMs !== undefined && input.retryAfterMs > scheduled.delayMs) {
    const byDelay = [...schedule.tiers].sort((a, b) => a.delayMs - b.delayMs);
    tier = byDelay.find((t) => t.delayMs >= input.retryAfterMs!) ?? byDelay[byDelay.length - 1]!;
  }
  const ratio = input.jitterRatio ?? defaultJitterRatio;
  const factor = 1 + ratio * (2 * (input.random ?? Math.random)() - 1);
  // Jitter never brings the wait under a Retry-After the tier can honour.
  const floor = Math.min(input.retryAfterMs ?? 0, tier.delayMs);
  const delayMs = Math.max(floor, Math.round(tier.delayMs * factor));
  return { kind: "retry", tier, delayMs, notBefore: input.now + delayMs };
}

/** `wh.dlq.{domain}.{event}` of an event type, with an error naming the type when it is malformed. */
export function dlqTopicOf(eventType: string): string {
  const t = parseEventType(eventType);
  if (!t) throw new Error(`event type "${eventType}" is not {domain}.{event}`);
  return dlqTopic(t);
}
