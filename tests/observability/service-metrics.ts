// The metrics the four services really expose on /metrics: each service's registry, built by
// the same factories its main.ts uses, read back by name, type and label names.

import pino from "pino";
import type { Registry } from "prom-client";
import { buildGatewayApp } from "../../apps/gateway/app";
import type { IngestService } from "../../apps/gateway/ingest";
import { dispatcherMetrics } from "../../apps/dispatcher/metrics";
import { processorMetrics } from "../../apps/processor/metrics";
import { createMetrics, writeRequestMetrics } from "../../apps/shared/metrics";
import { createReadiness } from "../../apps/shared/readiness";
import type { ServiceName } from "../../model/access";

export interface ExposedMetric {
  /** The family name as registered, e.g. `http_request_duration_seconds`. */
  family: string;
  type: string;
  labelNames: string[];
  service: ServiceName;
}

async function families(service: ServiceName, registry: Registry): Promise<ExposedMetric[]> {
  const json = await registry.getMetricsAsJSON();
  return json.map((m) => ({
    family: m.name,
    type: String(m.type),
    labelNames: [...((registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] })?.labelNames ?? [])],
    service,
  }));
}

/** Every metric family of every service, from the real factories. */
export async function serviceMetricFamilies(): Promise<ExposedMetric[]> {
  const gateway = createMetrics("gateway");
  // The gateway's own counter is registered when its app is built; the app is built, not started.
  const app = buildGatewayApp({
    logger: pino({ level: "silent" }),
    metrics: gateway,
    readiness: createReadiness({}),
    producerKeys: { find: async () => undefined },
    ingest: {} as IngestService,
    maxBodyBytes: 1024,
  });
  await app.close();
  writeRequestMetrics(gateway.registry);
  const processor = createMetrics("processor");
  processorMetrics(processor.registry);
  writeRequestMetrics(processor.registry);
  const dispatcher = createMetrics("dispatcher");
  dispatcherMetrics(dispatcher.registry);
  writeRequestMetrics(dispatcher.registry);
  const admin = createMetrics("admin");
  return [
    ...(await families("gateway", gateway.registry)),
    ...(await families("admin", admin.registry)),
    ...(await families("processor", processor.registry)),
    ...(await families("dispatcher", dispatcher.registry)),
  ];
}

/** The series names a family appears under once scraped (histograms and summaries add suffixes). */
export function seriesNames(m: ExposedMetric): string[] {
  if (m.type === "histogram") return [`${m.family}_bucket`, `${m.family}_sum`, `${m.family}_count`];
  if (m.type === "summary") return [m.family, `${m.family}_sum`, `${m.family}_count`];
  return [m.family];
}
