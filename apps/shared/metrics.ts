// Prometheus metrics (prom-client). One registry per service instance, so several services in
// one test process do not share counters; default process metrics plus per-route request timing.

import { Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ObserveWriteRequest } from "./item-writer";

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<"method" | "route" | "status_code">;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route pattern and status code",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}

/** Names of the write-request metrics, for readers of /metrics (the bench). */
export const writeRequestMetricNames = { writes: "dynamodb_write_request_writes", duration: "dynamodb_write_request_duration_seconds" } as const;

/** Metrics of the DynamoDB write requests (item-writer.ts): how many writes each carried (1, or a group commit's batch) and how long it took. */
export function writeRequestMetrics(registry: Registry): ObserveWriteRequest {
  const writes = new Histogram({
    name: writeRequestMetricNames.writes,
    help: "Writes carried by one DynamoDB write request (1 for a single write, the batch for a group-committed transaction), by outcome",
    labelNames: ["outcome"] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100],
    registers: [registry],
  });
  const duration = new Histogram({
    name: writeRequestMetricNames.duration,
    help: "Duration of one DynamoDB write request, by outcome",
    labelNames: ["outcome"] as const,
    buckets: [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return ({ writes: n, seconds, outcome }) => {
    writes.observe({ outcome }, n);
    duration.observe({ outcome }, seconds);
  };
}
