// The Prometheus rule files of observability/rules/*.yaml, filled with the stack's thresholds
// before they are uploaded to Amazon Managed Prometheus. A rule file names a value as
// `${alerts.retriesPerMinute}`, `${slo.deliverySuccessPercent}` or `${namespaces}` (the
// platform's namespaces as a regex alternation, from model/kubernetes.ts).

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";
import type { AlertThresholds, SloObjectives } from "../config";
import { namespaces } from "../model/kubernetes";

export const rulesDir = join(__dirname, "rules");

export interface RuleValues {
  alerts: AlertThresholds;
  slo: SloObjectives;
}

export interface RuleFile {
  /** File name without `.yaml`, e.g. `slo`. */
  name: string;
  /** The file as written, placeholders and all. */
  template: string;
}

export interface PrometheusRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  interval?: string;
  rules: PrometheusRule[];
}

const placeholder = /\$\{([A-Za-z][A-Za-z0-9.]*)\}/g;

/** Every rule file, in name order. */
export function ruleFiles(dir = rulesDir): RuleFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ name: basename(f, ".yaml"), template: readFileSync(join(dir, f), "utf8") }));
}

/** The value a placeholder stands for; throws naming the placeholder and what exists. */
function valueOf(key: string, values: RuleValues, file: string): string {
  if (key === "namespaces") return Object.values(namespaces).join("|");
  const [section, field, ...rest] = key.split(".");
  const group = section === "alerts" ? values.alerts : section === "slo" ? values.slo : undefined;
  const value = group && field !== undefined && rest.length === 0 ? (group as unknown as Record<string, unknown>)[field] : undefined;
  if (typeof value !== "number") {
    const known = ["namespaces", ...Object.keys(values.alerts).map((k) => `alerts.${k}`), ...Object.keys(values.slo).map((k) => `slo.${k}`)];
    throw new Error(`observability/rules/${file}.yaml: unknown placeholder \${${key}}; known: ${known.join(", ")}`);
  }
  return String(value);
}

/** The file's text with every placeholder replaced. */
export function renderRuleFile(file: RuleFile, values: RuleValues): string {
  return file.template.replace(placeholder, (_m, key: string) => valueOf(key, values, file.name));
}

/** The placeholders a file uses. */
export function placeholdersOf(file: RuleFile): string[] {
  return [...file.template.matchAll(placeholder)].map((m) => m[1]!);
}

/** The groups of a rendered rule file; throws naming the file when it is not a rules document. */
export function ruleGroups(name: string, rendered: string): PrometheusRuleGroup[] {
  const doc = parse(rendered) as { groups?: PrometheusRuleGroup[] } | null;
  if (!doc || !Array.isArray(doc.groups) || doc.groups.length === 0) {
    throw new Error(`observability/rules/${name}.yaml: expected a Prometheus rules document with a non-empty "groups" list`);
  }
  return doc.groups;
}
