// 1. Gateway ingest: autocannon against POST /v1/events with valid, unique CloudEvents of
// about 1 KiB at several connection counts, then the same load against the bare baseline
// server (the ratio the targets name), and against the durable baseline (the bare server
// plus an acks=all Kafka write per event with the gateway's publisher: what durability alone
// costs). After each gateway run the ingress topic is counted: every 202 must be a record on
// it (202 only after acks=all), so throughput is never bought with durability.

import autocannon from "autocannon";
import type { Admin } from "kafkajs";
import { benchCloudEvent, benchEvents } from "./payload";
import { startBenchChild } from "./child";
import { highWatermarks } from "./topic-offsets";
import { UsageWindow, type UsageReport } from "./proc-usage";

export interface LoadRun {
  target: "gateway" | "baseline" | "durable baseline";
  connections: number;
  seconds: number;
  requests: number;
  /** 2xx answers. */
  accepted: number;
  acceptedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  usage: UsageReport;
}

export interface IngestComparison {
  connections: number;
  gateway: LoadRun;
  baseline: LoadRun;
  /** gateway accepted/s ÷ baseline accepted/s */
  ratio: number;
  durableBaseline: LoadRun;
  /** gateway accepted/s ÷ durable baseline accepted/s */
  durableRatio: number;
  /** Records the gateway run added to the ingress topic; must be ≥ its 2xx count (equal unless a client gave up on a request the gateway then wrote). */
  recordsOnTopic: number;
  durable: boolean;
}

export interface IngestOptions {
  kafkaBrokers: string;
  gatewayUrl: string;
  producerKey: string;
  topic: string;
  kafkaAdmin: Admin;
  connections: number[];
  secondsPerRun: number;
  log: (line: string) => void;
}

/**
 * The request body as autocannon sends it: `[<id>]` is replaced by a fresh random id in every
 * request, which makes each event's `id` (and its `reference`) unique.
 */
function bodyTemplate(): string {
  const placeholder = "[<id>]";
  return JSON.stringify(benchCloudEvent(benchEvents.ingest, placeholder, "urn:bench:ingest", placeholder));
}

async function load(target: LoadRun["target"], url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<LoadRun> {
  const usage = new UsageWindow();
  const result = await autocannon({ url, method: "POST", connections, duration: seconds, headers, body: bodyTemplate(), idReplacement: true, timeout: 10 });
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  return {
    target,
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    accepted: result["2xx"],
    acceptedPerSecond: Math.round(result["2xx"] / result.duration),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    usage: usage.end(),
  };
}

export async function benchIngest(options: IngestOptions): Promise<IngestComparison[]> {
  const gatewayHeaders = { authorization: `Bearer ${options.producerKey}`, "content-type": "application/cloudevents+json" };
  const durableTopic = "bench.durable-baseline";
  await options.kafkaAdmin.createTopics({ topics: [{ topic: durableTopic, numPartitions: 3, replicationFactor: 1 }] });
  const baseline = await startBenchChild("baseline-server.ts");
  const durable = await startBenchChild("durable-baseline-server.ts", { BENCH_BASELINE_BROKERS: options.kafkaBrokers, BENCH_BASELINE_TOPIC: durableTopic });
  const baselineUrl = `http://127.0.0.1:${baseline.port}/v1/events`;
  const durableUrl = `http://127.0.0.1:${durable.port}/v1/events`;
  const comparisons: IngestComparison[] = [];
  try {
    // Warm-up: JIT, connection pools, the producer key and schema caches, the first produce requests.
    options.log("ingest: warm-up");
    await autocannon({ url: `${options.gatewayUrl}/v1/events`, method: "POST", connections: 10, duration: 3, headers: gatewayHeaders, body: bodyTemplate(), idReplacement: true });
    await autocannon({ url: baselineUrl, method: "POST", connections: 10, duration: 2, headers: gatewayHeaders, body: bodyTemplate(), idReplacement: true });
    await autocannon({ url: durableUrl, method: "POST", connections: 10, duration: 2, headers: gatewayHeaders, body: bodyTemplate(), idReplacement: true });

    for (const connections of options.connections) {
      const before = await highWatermarks(options.kafkaAdmin, options.topic);
      const gateway = await load("gateway", `${options.gatewayUrl}/v1/events`, gatewayHeaders, connections, options.secondsPerRun);
      const recordsOnTopic = (await highWatermarks(options.kafkaAdmin, options.topic)) - before;
      const base = await load("baseline", baselineUrl, gatewayHeaders, connections, options.secondsPerRun);
      const durableBaseline = await load("durable baseline", durableUrl, gatewayHeaders, connections, options.secondsPerRun);
      const ratio = base.acceptedPerSecond > 0 ? gateway.acceptedPerSecond / base.acceptedPerSecond : 0;
      const durableRatio = durableBaseline.acceptedPerSecond > 0 ? gateway.acceptedPerSecond / durableBaseline.acceptedPerSecond : 0;
      comparisons.push({
        connections,
        gateway,
        baseline: base,
        ratio: Math.round(ratio * 1000) / 1000,
        durableBaseline,
        durableRatio: Math.round(durableRatio * 1000) / 1000,
        recordsOnTopic,
        durable: recordsOnTopic >= gateway.accepted,
      });
      options.log(
        `ingest c=${connections}: gateway ${gateway.acceptedPerSecond}/s p50 ${gateway.latencyMs.p50} ms p99 ${gateway.latencyMs.p99} ms (non-2xx ${gateway.non2xx}, errors ${gateway.errors}); ` +
          `baseline ${base.acceptedPerSecond}/s p99 ${base.latencyMs.p99} ms; ratio ${(ratio * 100).toFixed(1)}%; ` +
          `durable baseline ${durableBaseline.acceptedPerSecond}/s p99 ${durableBaseline.latencyMs.p99} ms; ratio ${(durableRatio * 100).toFixed(1)}%; on topic ${recordsOnTopic}/${gateway.accepted}`,
      );
    }
  } finally {
    await baseline.stop();
    await durable.stop();
    await options.kafkaAdmin.deleteTopics({ topics: [durableTopic] }).catch(() => undefined);
  }
  return comparisons;
}
