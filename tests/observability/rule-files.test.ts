import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { envDefaults, loadPlatformConfig } from "../../config";
import { namespaces } from "../../model/kubernetes";
import { placeholdersOf, renderRuleFile, ruleFiles, ruleGroups } from "../../observability/rule-files";
import { stackFileSource } from "../support/stack-file";

const values = loadPlatformConfig(stackFileSource("staging")).observability;
const files = ruleFiles();

describe("observability/rules", () => {
  it("has the delivery, platform health and SLO rule files", () => {
    assert.deepEqual(files.map((f) => f.name), ["delivery", "platform", "slo"]);
  });

  it("uses only placeholders the config fills, and fills them all", () => {
    for (const f of files) {
      for (const p of placeholdersOf(f)) assert.doesNotThrow(() => renderRuleFile({ name: f.name, template: `\${${p}}` }, values), `${f.name}: \${${p}}`);
      assert.doesNotMatch(renderRuleFile(f, values), /\$\{[A-Za-z]/);
    }
  });

  it("puts each configured threshold and objective into some rule", () => {
    const used = new Set(files.flatMap(placeholdersOf));
    for (const key of Object.keys(values.alerts)) {
      if (key === "consumerLagRecords") continue; // a CloudWatch alarm (MSK lag is not in AMP)
      assert.ok(used.has(`alerts.${key}`), `alerts.${key} is used by no rule`);
    }
    for (const key of Object.keys(values.slo)) assert.ok(used.has(`slo.${key}`), `slo.${key} is used by no rule`);
  });

  it("refuses an unknown placeholder, naming it and the known ones", () => {
    assert.throws(
      () => renderRuleFile({ name: "x", template: "expr: up > ${alerts.retriesPerHour}" }, values),
      /observability\/rules\/x\.yaml: unknown placeholder \$\{alerts\.retriesPerHour\}; known: namespaces, alerts\.retriesPerMinute, /,
    );
  });

  it("fills thresholds with the stack's values, not the defaults", () => {
    const changed = { ...values, alerts: { ...values.alerts, retriesPerMinute: 7.5 }, slo: { ...values.slo, endToEndP95Seconds: 42 } };
    assert.notEqual(envDefaults.staging.observability?.alerts?.retriesPerMinute, 7.5);
    const delivery = renderRuleFile(files.find((f) => f.name === "delivery")!, changed);
    assert.match(delivery, /webhook_delivery_retries_total\[10m\]\)\) > 7\.5\n/);
    const slo = renderRuleFile(files.find((f) => f.name === "slo")!, changed);
    assert.match(slo, /p95_rate5m > 42\n/);
  });

  it("limits the pod restart and target alerts to the platform's namespaces", () => {
    const platform = renderRuleFile(files.find((f) => f.name === "platform")!, values);
    assert.ok(platform.includes(`namespace=~"${Object.values(namespaces).join("|")}"`));
  });

  it("gives every alert a severity, a summary and the runbook's Alerts section; every rule an expression", () => {
    const names = new Set<string>();
    for (const f of files) {
      for (const g of ruleGroups(f.name, renderRuleFile(f, values))) {
        assert.match(g.name, /^platform-[a-z-]+$/);
        for (const r of g.rules) {
          assert.ok(r.expr, `${f.name}: ${r.alert ?? r.record} has no expr`);
          assert.ok((r.alert === undefined) !== (r.record === undefined), `${f.name}: a rule is an alert or a record`);
          const name = (r.alert ?? r.record)!;
          assert.ok(!names.has(name), `${name} is defined twice`);
          names.add(name);
          if (r.record) assert.match(r.record, /^platform:[a-z0-9_]+:[a-z0-9_]+$/, "level:metric:operations");
          if (r.alert) {
            assert.ok(["warning", "critical"].includes(r.labels?.severity ?? ""), `${r.alert} severity`);
            assert.ok(r.annotations?.summary, `${r.alert} summary`);
            assert.match(r.annotations?.description ?? "", /docs\/runbook\.md#alerts/, `${r.alert} links the runbook`);
          }
        }
      }
    }
  });

  it("is explained alert by alert in docs/runbook.md's Alerts section", () => {
    const runbook = readFileSync(join(__dirname, "..", "..", "docs", "runbook.md"), "utf8");
    const section = /\n## Alerts\n([\s\S]*?)\n## /.exec(runbook)?.[1];
    assert.ok(section, "docs/runbook.md has an Alerts section");
    const alerts = files.flatMap((f) => ruleGroups(f.name, renderRuleFile(f, values)).flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))));
    assert.ok(alerts.length >= 8);
    for (const alert of alerts) assert.match(section, new RegExp(`\\| \`${alert}\` \\|`), `${alert} is not in the runbook's alert table`);
  });

  it("names the file when it is not a rules document", () => {
    assert.throws(() => ruleGroups("broken", "rules: []\n"), /observability\/rules\/broken\.yaml: expected a Prometheus rules document/);
  });
});
