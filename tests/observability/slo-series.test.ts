// The validation SLO's selectors against the series the gateway really exposes: requests go
// through the gateway's HTTP layer (fastify inject, its real routes, problem answers and
// metrics), and the recording rule's numerator and denominator select from its registry.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import type { FastifyInstance } from "fastify";
import { buildGatewayApp, cloudEventMediaTypes } from "../../apps/gateway/app";
import type { IngestService } from "../../apps/gateway/ingest";
import { HttpProblem } from "../../apps/shared/http/problem";
import { createMetrics, type ServiceMetrics } from "../../apps/shared/metrics";
import { createReadiness } from "../../apps/shared/readiness";
import { loadPlatformConfig } from "../../config";
import { renderRuleFile, ruleFiles, ruleGroups } from "../../observability/rule-files";
import { stackFileSource } from "../support/stack-file";
import { parsePromql, type Selector } from "./promql";

const producer = { api_key_hash: "0".repeat(64), producer_id: "prd_test", domain: "orders", key_prefix: "pk_test", created_at: "2026-01-01T00:00:00Z" };

/** The ingest core's answer per event id: accepted, or the problem it raises. */
const ingest = {
  async ingest(_producer: unknown, inputs: { id?: string }[]) {
    const id = inputs[0]?.id;
    if (id === "violates-schema") throw new HttpProblem(422, "schema-violation", "data.total must be a number");
    return inputs.map((e) => ({ eventId: `evt-${e.id}`, duplicate: false }));
  },
} as unknown as IngestService;

interface Series {
  labels: Record<string, string>;
  value: number;
}

function matches(s: Series, selector: Selector): boolean {
  return selector.matchers.every(({ label, op, value }) => {
    const actual = s.labels[label] ?? "";
    if (op === "=") return actual === value;
    if (op === "!=") return actual !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === "=~" ? re.test(actual) : !re.test(actual);
  });
}

async function seriesOf(metrics: ServiceMetrics, name: string): Promise<Series[]> {
  const json = await metrics.registry.getMetricsAsJSON();
  return json.flatMap((m) => m.values.filter((v) => (v as { metricName?: string }).metricName === name).map((v) => ({ labels: v.labels as Record<string, string>, value: v.value })));
}

const config = loadPlatformConfig(stackFileSource("prod"));
const slo = ruleFiles().find((f) => f.name === "slo")!;
const validation = ruleGroups(slo.name, renderRuleFile(slo, config.observability))
  .flatMap((g) => g.rules)
  .find((r) => r.record === "platform:gateway_validation_success:ratio_rate5m")!;

describe("the validation SLO on the gateway's real series", () => {
  let app: FastifyInstance;
  let metrics: ServiceMetrics;
  before(async () => {
    metrics = createMetrics("gateway");
    app = buildGatewayApp({
      logger: pino({ level: "silent" }),
      metrics,
      readiness: createReadiness({}),
      producerKeys: { find: async (key) => (key === "pk_test_key" ? producer : undefined) },
      ingest,
      maxBodyBytes: 4096,
    });
    const send = (payload: string, headers: Record<string, string> = {}) =>
      app.inject({ method: "POST", url: "/v1/events", payload, headers: { authorization: "Bearer pk_test_key", "content-type": cloudEventMediaTypes.single, ...headers } });
    const event = (id: string) => JSON.stringify({ specversion: "1.0", id, source: "/orders", type: "orders.created", data: {} });
    const answers = [
      await send(event("ok-1")),
      await send(event("ok-2")),
      await send("{ not json"),
      await send(event("violates-schema")),
      await send(event("ok-3"), { authorization: "Bearer unknown" }),
      await send(event("ok-4"), { "content-type": "text/plain" }),
    ].map((r) => r.statusCode);
    assert.deepEqual(answers, [202, 202, 400, 422, 401, 415]);
  });
  after(() => app.close());

  it("counts accepted events in the numerator and 202, 400 and 422 answers in the denominator, nothing else", async () => {
    const [numerator, denominator] = parsePromql(validation.expr).selectors;
    assert.equal(numerator!.metric, "http_request_duration_seconds_count");
    const series = await seriesOf(metrics, numerator!.metric);
    const sum = (selector: Selector) => series.filter((s) => matches(s, selector)).reduce((n, s) => n + s.value, 0);
    assert.equal(sum(numerator!), 2);
    assert.equal(sum(denominator!), 4);
    assert.ok(series.some((s) => s.labels.status_code === "401" && s.labels.route === "/v1/events"), "the 401 is exposed, on the same route");
  });

  it("finds the gateway by the service label and the route pattern its server records", async () => {
    const series = await seriesOf(metrics, "http_request_duration_seconds_count");
    const accepted = series.find((s) => s.labels.status_code === "202");
    assert.deepEqual({ service: accepted?.labels.service, route: accepted?.labels.route, method: accepted?.labels.method }, { service: "gateway", route: "/v1/events", method: "POST" });
  });
});
