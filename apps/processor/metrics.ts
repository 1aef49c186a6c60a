// The processor's own metrics, on the service registry (apps/shared/metrics.ts).

import { Counter, Histogram, type Registry } from "prom-client";

export interface ProcessorMetrics {
  events: Counter<"event_type">;
  egressRecords: Counter<"event_type">;
  invalidRecords: Counter;
  failedBatches: Counter<"topic">;
  batchSeconds: Histogram;
}

export function processorMetrics(registry: Registry): ProcessorMetrics {
  return {
    events: new Counter({ name: "processor_events_total", help: "Ingress events processed, by event type", labelNames: ["event_type"] as const, registers: [registry] }),
    egressRecords: new Counter({ name: "processor_egress_records_total", help: "Delivery records published to egress topics, by event type", labelNames: ["event_type"] as const, registers: [registry] }),
    invalidRecords: new Counter({ name: "processor_invalid_records_total", help: "Ingress records skipped because they could not be read", registers: [registry] }),
    failedBatches: new Counter({
      name: "processor_batch_failures_total",
      help: "Ingress batches whose egress records could not be published or counted; each is read again, so its partition waits meanwhile. By ingress topic",
      labelNames: ["topic"] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: "processor_batch_duration_seconds",
      help: "Time from a batch in hand to its offsets committed",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
