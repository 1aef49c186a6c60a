// The dispatcher's metrics, on the service registry (apps/shared/metrics.ts).

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CircuitStateName } from "./breaker";

export interface DispatcherMetrics {
  attempts: Counter<"result">;
  retries: Counter<"tier">;
  dlq: Counter<"event_type">;
  skippedDuplicates: Counter;
  circuitState: Gauge<"endpoint">;
  attemptSeconds: Histogram<"result">;
  endToEndSeconds: Histogram;
  setCircuitState(endpoint: string, state: CircuitStateName): void;
}

const circuitValue: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

export function dispatcherMetrics(registry: Registry): DispatcherMetrics {
  const circuitState = new Gauge({
    name: "webhook_circuit_state",
    help: "Circuit breaker state per endpoint: 0 closed, 1 half-open, 2 open",
    labelNames: ["endpoint"] as const,
    registers: [registry],
  });
  return {
    attempts: new Counter({ name: "webhook_delivery_attempts_total", help: "Delivery attempts by result", labelNames: ["result"] as const, registers: [registry] }),
    retries: new Counter({ name: "webhook_delivery_retries_total", help: "Deliveries sent to a retry tier, by tier", labelNames: ["tier"] as const, registers: [registry] }),
    dlq: new Counter({ name: "webhook_delivery_dlq_total", help: "Deliveries sent to the DLQ after the last attempt", labelNames: ["event_type"] as const, registers: [registry] }),
    skippedDuplicates: new Counter({ name: "webhook_delivery_duplicates_skipped_total", help: "Records of deliveries that had already succeeded: no request sent", registers: [registry] }),
    circuitState,
    attemptSeconds: new Histogram({
      name: "webhook_delivery_attempt_duration_seconds",
      help: "Duration of one delivery attempt (request to response), by result",
      labelNames: ["result"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    endToEndSeconds: new Histogram({
      name: "webhook_delivery_latency_seconds",
      help: "From the gateway accepting the event to its successful delivery",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000],
      registers: [registry],
    }),
    setCircuitState(endpoint, state) {
      circuitState.set({ endpoint }, circuitValue[state]);
    },
  };
}
