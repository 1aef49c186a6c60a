import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dueBy, intendedAt, runOpenLoop } from "../../bench/open-loop";
import { isSustained } from "../../bench/end-to-end";

/** A clock the test moves: each scheduling pass advances it by `stepMs`. */
function fakeClock(stepMs: number) {
  let t = 1_000_000;
  return { now: () => t, tick: async () => void (t += stepMs) };
}

describe("open-loop schedule", () => {
  it("makes request 0 due at once and one more every 1/rate seconds", () => {
    assert.equal(dueBy(0, 100, 1000), 1);
    assert.equal(dueBy(9.9, 100, 1000), 1);
    assert.equal(dueBy(10, 100, 1000), 2);
    assert.equal(dueBy(1000, 100, 1000), 101);
  });

  it("never makes more than the run's total due, and nothing before the start", () => {
    assert.equal(dueBy(60_000, 100, 500), 500);
    assert.equal(dueBy(-5, 100, 500), 0);
  });

  it("puts request i at start + i/rate", () => {
    assert.equal(intendedAt(1000, 0, 250), 1000);
    assert.equal(intendedAt(1000, 250, 250), 2000);
  });

  it("sends every scheduled request on time when the system keeps up", async () => {
    const clock = fakeClock(1);
    const intended: number[] = [];
    const result = await runOpenLoop({ ratePerSecond: 200, seconds: 1, maxInFlight: 10, send: async (_i, at) => void intended.push(at), ...clock });
    assert.deepEqual({ scheduled: result.scheduled, sent: result.sent, notSent: result.notSent }, { scheduled: 200, sent: 200, notSent: 0 });
    assert.ok(result.maxStartDelayMs <= 1, `started late by ${result.maxStartDelayMs} ms`);
    assert.equal(intended[199]! - intended[0]!, 995);
  });

  it("keeps offering at the rate while earlier requests hang, until maxInFlight, then reports the rest as not sent", async () => {
    const clock = fakeClock(1);
    const hanging: (() => void)[] = [];
    const run = runOpenLoop({ ratePerSecond: 100, seconds: 1, maxInFlight: 30, send: () => new Promise<void>((resolve) => hanging.push(resolve)), ...clock });
    // Nothing ever answers during the run: exactly maxInFlight requests go out, on schedule.
    await new Promise((r) => setTimeout(r, 50));
    while (hanging.length < 30) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    for (const resolve of hanging) resolve();
    const result = await run;
    assert.equal(result.sent, 30);
    assert.equal(result.notSent, 70);
  });

  it("measures how late a queued request started from its due time, not from when a slot freed", async () => {
    const clock = fakeClock(1);
    let release: (() => void) | undefined;
    const result = await runOpenLoop({
      ratePerSecond: 100,
      seconds: 0.5,
      maxInFlight: 1,
      // The first request holds the only slot for 200 ms of the fake clock.
      send: (i) => (i === 0 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
      now: clock.now,
      tick: async () => {
        await clock.tick();
        if (release && clock.now() >= 1_000_200) {
          release();
          release = undefined;
          await new Promise((r) => setImmediate(r));
        }
      },
    });
    assert.ok(result.maxStartDelayMs >= 190, `max start delay ${result.maxStartDelayMs} ms`);
  });
});

describe("a sustained end-to-end step", () => {
  it("accepts the offered rate and has its deliveries caught up within a second of the load", () => {
    assert.equal(isSustained({ offeredPerSecond: 100, acceptedPerSecond: 97, drained: true, drainSeconds: 0.3 }), true);
    assert.equal(isSustained({ offeredPerSecond: 100, acceptedPerSecond: 90, drained: true, drainSeconds: 0.3 }), false, "the gateway fell behind");
    assert.equal(isSustained({ offeredPerSecond: 100, acceptedPerSecond: 100, drained: true, drainSeconds: 2.3 }), false, "a delivery backlog grew");
    assert.equal(isSustained({ offeredPerSecond: 100, acceptedPerSecond: 100, drained: false, drainSeconds: 40 }), false, "never caught up");
  });
});
