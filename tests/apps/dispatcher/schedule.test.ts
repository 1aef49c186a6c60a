import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultRetrySchedule, dlqTopicOf, nextStep, parseRetrySchedule, retryTopics, tierOfTopic } from "../../../apps/dispatcher/schedule";

const noJitter = { jitterRatio: 0 };

describe("parseRetrySchedule", () => {
  it("reads the default schedule into seven tiers and eight attempts", () => {
    const s = parseRetrySchedule(defaultRetrySchedule);
    assert.deepEqual(
      s.tiers.map((t) => [t.label, t.delayMs, t.topic]),
      [
        ["5s", 5000, "wh.retry.5s"],
        ["5m", 300_000, "wh.retry.5m"],
        ["30m", 1_800_000, "wh.retry.30m"],
        ["2h", 7_200_000, "wh.retry.2h"],
        ["5h", 18_000_000, "wh.retry.5h"],
        ["10h", 36_000_000, "wh.retry.10h"],
        ["10h", 36_000_000, "wh.retry.10h"],
      ],
    );
    assert.equal(s.maxAttempts, 8);
    assert.deepEqual(retryTopics(s), ["wh.retry.5s", "wh.retry.5m", "wh.retry.30m", "wh.retry.2h", "wh.retry.5h", "wh.retry.10h"]);
  });

  it("accepts spaces, milliseconds and days, and normalises labels", () => {
    const s = parseRetrySchedule(" 500ms, 01s ,1d");
    assert.deepEqual(s.tiers.map((t) => [t.label, t.delayMs]), [["500ms", 500], ["1s", 1000], ["1d", 86_400_000]]);
  });

  for (const [text, fragment] of [
    ["", "DELIVERY_RETRY_SCHEDULE is empty"],
    ["5s,,5m", 'DELIVERY_RETRY_SCHEDULE: "" (position 2) is not a delay'],
    ["5s,5x", 'DELIVERY_RETRY_SCHEDULE: "5x" (position 2) is not a delay; expected a whole number followed by ms, s, m, h or d'],
    ["1.5s", '"1.5s" (position 1) is not a delay'],
    ["0s", '"0s" (position 1) must be greater than zero'],
    ["-5s", '"-5s" (position 1) is not a delay'],
  ] as const) {
    it(`rejects ${JSON.stringify(text)} naming the variable and the bad entry`, () => {
      assert.throws(() => parseRetrySchedule(text), (err: Error) => err.message.includes(fragment));
    });
  }
});

describe("nextStep", () => {
  const s = parseRetrySchedule("1s,2s,4s");
  const now = 1_000_000;

  it("sends failed attempt n to tier n and the last failure to the DLQ", () => {
    assert.deepEqual(
      [1, 2, 3].map((n) => {
        const step = nextStep(s, { attemptsMade: n, now, ...noJitter });
        return step.kind === "retry" ? [step.tier.topic, step.delayMs, step.notBefore - now] : ["dlq"];
      }),
      [
        ["wh.retry.1s", 1000, 1000],
        ["wh.retry.2s", 2000, 2000],
        ["wh.retry.4s", 4000, 4000],
      ],
    );
    assert.deepEqual(nextStep(s, { attemptsMade: 4, now }), { kind: "dlq" });
  });

  it("keeps jitter within the ratio around the tier delay", () => {
    const low = nextStep(s, { attemptsMade: 2, now, jitterRatio: 0.1, random: () => 0 });
    const high = nextStep(s, { attemptsMade: 2, now, jitterRatio: 0.1, random: () => 0.999999 });
    assert.equal(low.kind === "retry" && low.delayMs, 1800);
    assert.equal(high.kind === "retry" && high.delayMs, 2200);
  });

  it("honours a Retry-After longer than the scheduled delay by moving to the tier that covers it", () => {
    const step = nextStep(s, { attemptsMade: 1, retryAfterMs: 3000, now, ...noJitter });
    assert.equal(step.kind === "retry" && step.tier.topic, "wh.retry.4s");
    assert.equal(step.kind === "retry" && step.delayMs, 4000);
  });

  it("caps a Retry-After beyond the schedule at the longest tier", () => {
    const step = nextStep(s, { attemptsMade: 1, retryAfterMs: 3_600_000, now, ...noJitter });
    assert.equal(step.kind === "retry" && step.tier.topic, "wh.retry.4s");
    assert.equal(step.kind === "retry" && step.delayMs, 4000);
  });

  it("never lets jitter bring the wait under a Retry-After the tier covers", () => {
    const step = nextStep(s, { attemptsMade: 1, retryAfterMs: 2000, now, jitterRatio: 0.1, random: () => 0 });
    assert.equal(step.kind === "retry" && step.tier.topic, "wh.retry.2s");
    assert.equal(step.kind === "retry" && step.delayMs, 2000);
  });

  it("keeps the scheduled tier when Retry-After is shorter than it", () => {
    const step = nextStep(s, { attemptsMade: 2, retryAfterMs: 500, now, ...noJitter });
    assert.equal(step.kind === "retry" && step.tier.topic, "wh.retry.2s");
  });

  it("does not spend extra attempts when Retry-After picks a longer tier", () => {
    assert.equal(nextStep(s, { attemptsMade: 2, retryAfterMs: 4000, now, ...noJitter }).kind, "retry");
    assert.equal(nextStep(s, { attemptsMade: 3, retryAfterMs: 4000, now, ...noJitter }).kind, "retry");
  });
});

describe("topics of the schedule", () => {
  it("finds the tier of a retry topic and the DLQ of an event type", () => {
    const s = parseRetrySchedule("1s,2s,4s");
    assert.equal(tierOfTopic(s, "wh.retry.2s")?.delayMs, 2000);
    assert.equal(tierOfTopic(s, "wh.retry.9s"), undefined);
    assert.equal(dlqTopicOf("orders.created"), "wh.dlq.orders.created");
    assert.throws(() => dlqTopicOf("orders"), /event type "orders" is not \{domain\}\.\{event\}/);
  });
});
