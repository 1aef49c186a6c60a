// The OpenTelemetry collector configuration of observability/otel-collector.yaml, as the
// object the collector chart takes in its `config` value.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const collectorConfigPath = join(__dirname, "otel-collector.yaml");

export interface CollectorPipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}

export interface CollectorConfig {
  extensions?: Record<string, unknown>;
  receivers: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  service: { extensions?: string[]; pipelines: Record<string, CollectorPipeline> };
}

export function collectorConfig(path = collectorConfigPath): CollectorConfig {
  return parse(readFileSync(path, "utf8")) as CollectorConfig;
}

/** The `${env:NAME}` variables the configuration reads from the collector's environment. */
export function collectorEnvVariables(path = collectorConfigPath): string[] {
  return [...new Set([...readFileSync(path, "utf8").matchAll(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!))].sort();
}
