import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { collectorConfig, collectorConfigPath, collectorEnvVariables } from "../../observability/collector-config";

const text = readFileSync(collectorConfigPath, "utf8");
const config = collectorConfig();
const pipelines = Object.entries(config.service.pipelines);
/** `prometheus/pods` is an instance of the `prometheus` type: what a section defines is the full key. */
const kinds = ["receivers", "processors", "exporters"] as const;

describe("observability/otel-collector.yaml", () => {
  it("is one valid YAML document", () => {
    const doc = parseDocument(text);
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(Object.keys(config).sort(), ["exporters", "extensions", "processors", "receivers", "service"]);
  });

  it("defines every receiver, processor and exporter a pipeline uses", () => {
    assert.deepEqual(pipelines.map(([name]) => name).sort(), ["metrics", "traces"]);
    for (const [name, pipeline] of pipelines) {
      assert.ok(pipeline.receivers.length > 0 && pipeline.exporters.length > 0, `pipeline ${name} needs receivers and exporters`);
      for (const kind of kinds) {
        for (const component of pipeline[kind] ?? []) {
          assert.ok(component in (config[kind] ?? {}), `pipeline ${name} uses ${kind.slice(0, -1)} ${component}, which ${kind} does not define`);
        }
      }
    }
  });

  it("uses every receiver, processor, exporter and extension it defines", () => {
    for (const kind of kinds) {
      for (const component of Object.keys(config[kind] ?? {})) {
        assert.ok(pipelines.some(([, p]) => (p[kind] ?? []).includes(component)), `${kind.slice(0, -1)} ${component} is defined but in no pipeline`);
      }
    }
    assert.deepEqual(Object.keys(config.extensions ?? {}).sort(), [...(config.service.extensions ?? [])].sort());
  });

  it("limits memory first and batches in every pipeline", () => {
    for (const [name, p] of pipelines) {
      assert.equal(p.processors?.[0], "memory_limiter", `pipeline ${name}`);
      assert.ok(p.processors?.includes("batch"), `pipeline ${name} batches`);
    }
  });

  it("remote-writes metrics to AMP signed with SigV4 for the aps service", () => {
    const metrics = config.service.pipelines.metrics!;
    assert.deepEqual(metrics.exporters, ["prometheusremotewrite"]);
    const exporter = config.exporters.prometheusremotewrite as { endpoint: string; auth: { authenticator: string } };
    assert.equal(exporter.endpoint, "${env:AMP_REMOTE_WRITE_URL}");
    assert.equal(exporter.auth.authenticator, "sigv4auth");
    assert.deepEqual(config.extensions?.sigv4auth, { region: "${env:AWS_REGION}", service: "aps" });
    assert.ok(config.service.extensions?.includes("sigv4auth"));
  });

  it("takes OTLP traces and sends them to X-Ray", () => {
    const traces = config.service.pipelines.traces!;
    assert.deepEqual(traces.receivers, ["otlp"]);
    assert.deepEqual(traces.exporters, ["awsxray"]);
    const otlp = config.receivers.otlp as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
    assert.match(otlp.protocols.grpc.endpoint, /:4317$/);
    assert.match(otlp.protocols.http.endpoint, /:4318$/);
  });

  it("scrapes pods by the prometheus.io annotations the platform's charts put on them", () => {
    const template = readFileSync(join(__dirname, "..", "..", "charts", "platform-lib", "templates", "_deployment.tpl"), "utf8");
    const annotations = [...template.matchAll(/^\s+(prometheus\.io\/[a-z]+):/gm)].map((m) => m[1]!);
    assert.deepEqual(annotations.sort(), ["prometheus.io/path", "prometheus.io/port", "prometheus.io/scrape"]);
    assert.match(template, /prometheus\.io\/scrape: "true"/);
    const scrape = (config.receivers.prometheus as { config: { scrape_configs: { job_name: string; relabel_configs?: { source_labels?: string[]; action?: string; regex?: string }[] }[] } }).config.scrape_configs;
    const pods = scrape.find((s) => s.job_name === "kubernetes-pods");
    assert.ok(pods, "a kubernetes-pods scrape job");
    const sources = new Set((pods.relabel_configs ?? []).flatMap((r) => r.source_labels ?? []));
    for (const annotation of annotations) {
      // Prometheus's service discovery label for a pod annotation: non-alphanumerics become `_`.
      const label = `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9]/g, "_")}`;
      assert.ok(sources.has(label), `the pods job does not read ${annotation} (${label})`);
    }
    const keep = pods.relabel_configs!.find((r) => r.action === "keep");
    assert.deepEqual(keep?.source_labels, ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]);
    assert.equal(keep?.regex, "true");
    assert.ok(scrape.some((s) => s.job_name === "kube-state-metrics"), "kube-state-metrics is scraped (pod restarts)");
  });

  it("escapes relabel references as $$ so the collector does not read them as its own variables", () => {
    assert.doesNotMatch(text.replace(/\$\$/g, ""), /\$[0-9]/);
    assert.deepEqual(collectorEnvVariables(), ["AMP_REMOTE_WRITE_URL", "AWS_REGION", "KUBE_STATE_METRICS_TARGET", "MY_POD_IP", "PLATFORM_ENV"]);
  });
});
