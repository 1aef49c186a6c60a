import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { KeyedLimiter } from "../../../apps/dispatcher/keyed-limiter";

describe("KeyedLimiter", () => {
  it("never runs more than the limit at once", async () => {
    const limiter = new KeyedLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(`k${i}`, async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(5);
          running--;
        }),
      ),
    );
    assert.equal(peak, 3);
  });

  it("runs tasks with the same key one after another in the order given", async () => {
    const limiter = new KeyedLimiter(8);
    const log: string[] = [];
    const task = (key: string, i: number, ms: number) =>
      limiter.run(key, async () => {
        log.push(`start ${key}${i}`);
        await sleep(ms);
        log.push(`end ${key}${i}`);
      });
    await Promise.all([task("a", 1, 30), task("a", 2, 1), task("b", 1, 1), task("a", 3, 1)]);
    const a = log.filter((l) => l.includes(" a"));
    assert.deepEqual(a, ["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
    assert.ok(log.indexOf("end b1") < log.indexOf("end a1"), "another key does not wait for a");
  });

  it("keeps going with a key after a task of it failed", async () => {
    const limiter = new KeyedLimiter(1);
    const failed = limiter.run("a", async () => {
      throw new Error("boom");
    });
    const next = limiter.run("a", async () => "ok");
    await assert.rejects(failed, /boom/);
    assert.equal(await next, "ok");
  });

  it("starts the next task of a key, and frees the slot, once the running one releases, while it goes on", async () => {
    const limiter = new KeyedLimiter(1);
    const log: string[] = [];
    const first = limiter.run("a", async (release) => {
      log.push("a1 sent");
      release();
      await sleep(30);
      log.push("a1 written");
    });
    const second = limiter.run("a", async () => void log.push("a2 sent"));
    const other = limiter.run("b", async () => void log.push("b1 sent"));
    await Promise.all([first, second, other]);
    assert.equal(log[0], "a1 sent");
    assert.equal(log.at(-1), "a1 written", "a2 and b1 did not wait for the rest of a1");
    assert.deepEqual([...log].sort(), ["a1 sent", "a1 written", "a2 sent", "b1 sent"]);
  });

  it("counts a release and the end of the same task once", async () => {
    const limiter = new KeyedLimiter(2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(`k${i}`, async (release) => {
          running++;
          peak = Math.max(peak, running);
          await sleep(2);
          running--;
          release();
          release();
        }),
      ),
    );
    assert.equal(peak, 2);
  });

  it("rejects a limit below 1", () => {
    assert.throws(() => new KeyedLimiter(0), /concurrency must be a whole number >= 1, got 0/);
  });
});
