// The dispatcher baseline: a plain undici POST loop, `concurrency` requests in flight, each a
// webhook body of the same size signed with Standard Webhooks (so the receiver does the same
// work for both), to the same receiver. Nothing else: no Kafka, no status, no retries.

import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import { Webhook } from "standardwebhooks";
import { benchOrder } from "./payload";
import { LatencyHistogram, type LatencySummary } from "./histogram";

export interface LoopResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latencyMs: LatencySummary;
}

export async function undiciPostLoop(url: string, secret: string, total: number, concurrency: number, eventType: string): Promise<LoopResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency });
  const signer = new Webhook(secret);
  const histogram = new LatencyHistogram();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const reference = `baseline-${next++}`;
      const body = JSON.stringify({ type: eventType, timestamp: new Date().toISOString(), data: benchOrder(reference) });
      const id = `msg_${randomUUID()}`;
      const now = new Date();
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "webhook-id": id,
            "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
            "webhook-signature": signer.sign(id, now, body),
          },
          body,
        });
        await res.body.dump();
        if (res.statusCode >= 300) errors++;
      } catch {
        errors++;
      }
      histogram.recordMs(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: total, errors, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(total / seconds), latencyMs: histogram.summary() };
}
