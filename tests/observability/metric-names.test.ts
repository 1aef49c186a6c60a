// Every metric the alert/recording rules and the dashboards read must exist: a metric the
// services register (read from their real registries), a series our own recording rules
// produce, or an infrastructure metric on the allowlist below. A renamed metric fails here.

import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadPlatformConfig } from "../../config";
import type { AttemptResult } from "../../apps/dispatcher/deliver";
import { renderRuleFile, ruleFiles, ruleGroups, type PrometheusRule } from "../../observability/rule-files";
import { stackFileSource } from "../support/stack-file";
import { dashboards, panelsOf } from "./dashboards";
import { parsePromql, alternatives, type Selector } from "./promql";
import { seriesNames, serviceMetricFamilies, type ExposedMetric } from "./service-metrics";

/** Metrics that come from the cluster, not from our services: what the collector scrapes besides the pods. */
const infrastructureMetrics = new Set([
  // kube-state-metrics (installed and scraped by the observability tier)
  "kube_pod_container_status_restarts_total",
  // the prometheus receiver's own series per scrape target
  "up",
]);

/** MSK metrics in CloudWatch (AWS/Kafka) the dashboards may chart. */
const mskCloudWatchMetrics = new Set([
  "ActiveControllerCount",
  "OfflinePartitionsCount",
  "GlobalTopicCount",
  "GlobalPartitionCount",
  "BytesInPerSec",
  "BytesOutPerSec",
  "MessagesInPerSec",
  "UnderReplicatedPartitions",
  "CpuUser",
  "KafkaDataLogsDiskUsed",
  "SumOffsetLag",
  "MaxOffsetLag",
  "EstimatedMaxTimeLag",
]);

/** Labels a scraped series carries besides its own: the registry's default label and the collector's relabelling. */
const addedLabels = new Set(["service", "namespace", "pod", "app", "job", "instance", "environment"]);

/** Results the dispatcher counts attempts by (the compiler checks each against AttemptResult). */
const attemptResults = ["success", "gone", "throttled", "http_error", "redirect", "timeout", "connect", "dns", "tls", "refused_target", "network", "circuit_open"] as const satisfies readonly AttemptResult[];

interface Expression {
  where: string;
  expr: string;
}

const config = loadPlatformConfig(stackFileSource("prod"));
const rules: { file: string; rule: PrometheusRule }[] = ruleFiles().flatMap((f) =>
  ruleGroups(f.name, renderRuleFile(f, config.observability)).flatMap((g) => g.rules.map((rule) => ({ file: f.name, rule }))),
);
const ruleExpressions: Expression[] = rules.map(({ file, rule }) => ({ where: `rules/${file}.yaml ${rule.record ?? rule.alert}`, expr: rule.expr }));
const recorded = new Set(rules.map((r) => r.rule.record).filter((r): r is string => r !== undefined));
const dashboardExpressions: Expression[] = dashboards().flatMap((d) =>
  panelsOf(d).flatMap((p) =>
    (p.targets ?? []).filter((t) => t.datasource.type === "prometheus").map((t) => ({ where: `dashboards/${d.file} "${p.title}" ${t.refId}`, expr: t.expr ?? "" })),
  ),
);

let families: ExposedMetric[] = [];
const bySeries = new Map<string, ExposedMetric[]>();
before(async () => {
  families = await serviceMetricFamilies();
  for (const f of families) for (const s of seriesNames(f)) bySeries.set(s, [...(bySeries.get(s) ?? []), f]);
});

/** Why the selector's metric is unknown, or undefined when it exists. */
function unknownMetric(s: Selector): string | undefined {
  if (bySeries.has(s.metric) || recorded.has(s.metric) || infrastructureMetrics.has(s.metric)) return undefined;
  return `${s.metric} is neither registered by a service, recorded by observability/rules, nor an allowlisted infrastructure metric`;
}

function unknownMetrics(expressions: Expression[]): string[] {
  return expressions.flatMap((e) =>
    parsePromql(e.expr)
      .selectors.map(unknownMetric)
      .filter((m): m is string => m !== undefined)
      .map((m) => `${e.where}: ${m}`),
  );
}

describe("rule and dashboard metric names", () => {
  it("reads the services' registries: the dispatcher's, processor's, gateway's and the shared HTTP metrics are there", () => {
    for (const name of ["webhook_delivery_attempts_total", "webhook_delivery_latency_seconds", "processor_events_total", "gateway_events_total", "http_request_duration_seconds"]) {
      assert.ok(families.some((f) => f.family === name), `${name} is not registered`);
    }
    assert.ok(bySeries.has("webhook_delivery_latency_seconds_bucket"));
  });

  it("finds PromQL in every rule and in the dashboards", () => {
    assert.ok(ruleExpressions.length >= 10, `${ruleExpressions.length} rule expressions`);
    assert.ok(dashboardExpressions.length >= 20, `${dashboardExpressions.length} dashboard expressions`);
  });

  it("parses every rule and dashboard expression as PromQL", () => {
    for (const e of [...ruleExpressions, ...dashboardExpressions]) {
      const parsed = parsePromql(e.expr);
      assert.deepEqual(parsed.errors, [], `${e.where}: ${e.expr}`);
      assert.ok(parsed.selectors.length > 0, `${e.where} reads no metric`);
    }
  });

  it("reads in the rules only metrics the services register, our recording rules, or allowlisted infrastructure metrics", () => {
    assert.deepEqual(unknownMetrics(ruleExpressions), []);
  });

  it("reads in the dashboards only metrics the services register, our recording rules, or allowlisted infrastructure metrics", () => {
    assert.deepEqual(unknownMetrics(dashboardExpressions), []);
  });

  it("names a metric that a service renamed", () => {
    const renamed = [{ where: "probe", expr: 'sum(rate(webhook_delivery_attempt_total{result="success"}[5m])) / sum(rate(http_request_duration_seconds_count[5m]))' }];
    assert.deepEqual(unknownMetrics(renamed), [
      "probe: webhook_delivery_attempt_total is neither registered by a service, recorded by observability/rules, nor an allowlisted infrastructure metric",
    ]);
  });

  it("matches service metrics only on labels they have or the scrape adds", () => {
    const faults: string[] = [];
    for (const e of [...ruleExpressions, ...dashboardExpressions]) {
      for (const s of parsePromql(e.expr).selectors) {
        const metrics = bySeries.get(s.metric);
        if (!metrics) continue;
        const labels = new Set([...metrics.flatMap((m) => m.labelNames), ...addedLabels, ...(s.metric.endsWith("_bucket") ? ["le"] : [])]);
        for (const m of s.matchers) if (!labels.has(m.label)) faults.push(`${e.where}: ${s.metric} has no label ${m.label} (has ${[...labels].join(", ")})`);
      }
    }
    assert.deepEqual(faults, []);
  });

  it("selects delivery attempts only by results the dispatcher counts", () => {
    let checked = 0;
    for (const e of [...ruleExpressions, ...dashboardExpressions]) {
      for (const s of parsePromql(e.expr).selectors.filter((x) => x.metric.startsWith("webhook_delivery_attempt"))) {
        for (const m of s.matchers.filter((x) => x.label === "result")) {
          for (const value of alternatives(m.value)) {
            assert.ok((attemptResults as readonly string[]).includes(value), `${e.where}: result "${value}" is not an attempt result (${attemptResults.join(", ")})`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 4, `checked ${checked} result values`);
  });

  it("selects the gateway by the service label its registry sets, and only on its events route", () => {
    for (const e of [...ruleExpressions, ...dashboardExpressions]) {
      for (const s of parsePromql(e.expr).selectors.filter((x) => x.metric.startsWith("http_request_duration_seconds"))) {
        const service = s.matchers.find((m) => m.label === "service");
        assert.ok(service && ["gateway", "admin", "processor", "dispatcher"].includes(service.value), `${e.where}: select http metrics by service`);
        const route = s.matchers.find((m) => m.label === "route");
        if (service.value === "gateway" && route) assert.equal(route.value, "/v1/events", e.where);
      }
    }
  });

  it("charts only MSK metrics of AWS/Kafka from CloudWatch", () => {
    let checked = 0;
    for (const d of dashboards()) {
      for (const p of panelsOf(d)) {
        for (const t of (p.targets ?? []).filter((x) => x.datasource.type === "cloudwatch")) {
          assert.equal(t.namespace, "AWS/Kafka", `${d.file} "${p.title}"`);
          assert.ok(mskCloudWatchMetrics.has(t.metricName ?? ""), `${d.file} "${p.title}": ${t.metricName} is not an MSK metric`);
          assert.ok(t.dimensions?.["Cluster Name"], `${d.file} "${p.title}" must select a cluster`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 10);
  });
});
