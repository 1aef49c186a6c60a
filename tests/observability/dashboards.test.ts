import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dashboards, panelsOf } from "./dashboards";

const all = dashboards();

describe("observability/dashboards", () => {
  it("has the Kafka, gateway, producer/consumer lag and deliveries dashboards", () => {
    assert.deepEqual(all.map((d) => d.file), ["consumer-lag.json", "deliveries.json", "gateway.json", "kafka.json"]);
  });

  it("gives each dashboard its own uid and title", () => {
    assert.equal(new Set(all.map((d) => d.uid)).size, all.length);
    assert.equal(new Set(all.map((d) => d.title)).size, all.length);
    for (const d of all) assert.match(d.uid, /^webhooks-[a-z-]+$/, d.file);
  });

  it("queries through data source variables the dashboard declares, so an import picks the workspace's own data sources", () => {
    for (const d of all) {
      const declared = new Map(d.templating.list.filter((v) => v.type === "datasource").map((v) => [`\${${v.name}}`, v.query]));
      for (const p of panelsOf(d)) {
        assert.ok(p.datasource, `${d.file} "${p.title}" has no data source`);
        assert.equal(declared.get(p.datasource.uid), p.datasource.type, `${d.file} "${p.title}" uses ${p.datasource.uid}`);
        assert.ok((p.targets ?? []).length > 0, `${d.file} "${p.title}" has no query`);
        for (const t of p.targets!) assert.equal(t.datasource.uid, p.datasource.uid, `${d.file} "${p.title}" ${t.refId}`);
      }
    }
  });

  it("gives panels unique ids within a dashboard and unique refIds within a panel", () => {
    for (const d of all) {
      const ids = [...d.panels.map((p) => p.id)];
      assert.equal(new Set(ids).size, ids.length, d.file);
      for (const p of panelsOf(d)) {
        const refs = (p.targets ?? []).map((t) => t.refId);
        assert.equal(new Set(refs).size, refs.length, `${d.file} "${p.title}"`);
      }
    }
  });
});
