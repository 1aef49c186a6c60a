// An open-loop load generator: request i is due at start + i / rate, whatever happened to the
// requests before it, so a slow system cannot slow the offered load down (no coordinated
// omission). When `maxInFlight` requests are outstanding, due requests wait in a queue with
// their due time unchanged, so that wait counts in every latency measured from the due time.
// Requests still waiting when the run's time is up are abandoned and reported as not sent.

/** How many requests are due `elapsedMs` into a run at `ratePerSecond` (request 0 is due at once). */
export function dueBy(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

/** The intended (due) time of request i. */
export function intendedAt(startMs: number, index: number, ratePerSecond: number): number {
  return startMs + (index * 1000) / ratePerSecond;
}

export interface OpenLoopOptions {
  ratePerSecond: number;
  seconds: number;
  maxInFlight: number;
  /** Sends request `index`; `intended` is its due time in epoch ms. */
  send: (index: number, intended: number) => Promise<void>;
  /** Epoch ms, fractional; injectable for tests. */
  now?: () => number;
  /** Waits between scheduling passes; injectable for tests. */
  tick?: () => Promise<void>;
}

export interface OpenLoopResult {
  scheduled: number;
  sent: number;
  notSent: number;
  /** Largest queueing delay of a request that was sent: how far the generator fell behind. */
  maxStartDelayMs: number;
}

const defaultNow = () => performance.timeOrigin + performance.now();
const defaultTick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const now = o.now ?? defaultNow;
  const tick = o.tick ?? defaultTick;
  const total = Math.round(o.ratePerSecond * o.seconds);
  const start = now();
  const end = start + o.seconds * 1000;
  const waiting: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  let sent = 0;
  let maxStartDelayMs = 0;

  const launch = (index: number) => {
    const intended = intendedAt(start, index, o.ratePerSecond);
    maxStartDelayMs = Math.max(maxStartDelayMs, now() - intended);
    sent++;
    const p = o.send(index, intended).catch(() => undefined);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  while (now() < end && (next < total || waiting.length > 0)) {
    const due = dueBy(now() - start, o.ratePerSecond, total);
    while (next < due) waiting.push(next++);
    while (waiting.length > 0 && inFlight.size < o.maxInFlight) launch(waiting.shift()!);
    await tick();
  }
  const notSent = total - sent;
  await Promise.all(inFlight);
  return { scheduled: total, sent, notSent, maxStartDelayMs: Math.round(maxStartDelayMs) };
}
