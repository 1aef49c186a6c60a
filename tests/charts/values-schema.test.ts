// The charts' values.schema.json: generated from charts/values-schema.ts, strict, and enforced
// by helm before anything renders.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { serviceNames } from "../../model/access";
import { servicePorts } from "../../model/ports";
import { serviceNamespaces } from "../../model/kubernetes";
import { chartValuesSchemaText, chartProfiles } from "../../charts/values-schema";
import { Helm, repoChartsDir } from "./helm";

let helm: Helm;
before(() => {
  helm = Helm.prepare();
});
after(() => helm?.cleanup());

function templateWith(service: (typeof serviceNames)[number], extra: string) {
  return helm.template(service, serviceNamespaces[service], [helm.ciValues(service, "dev"), helm.valuesFile(`extra-${service}`, extra)]);
}

describe("chart values schemas", () => {
  for (const service of serviceNames) {
    it(`${service}: the committed values.schema.json is what charts/values-schema.ts generates`, () => {
      const committed = readFileSync(join(repoChartsDir, service, "values.schema.json"), "utf8");
      assert.equal(committed, chartValuesSchemaText(service), "run: node --import tsx charts/values-schema.ts");
    });

    it(`${service}: values.yaml has the port model/ports.ts gives the service and the chart's component`, () => {
      const values = parse(readFileSync(join(repoChartsDir, service, "values.yaml"), "utf8"));
      assert.equal(values.service.port, servicePorts[service].port);
      assert.equal(values.component, chartProfiles[service].component);
    });
  }

  it("refuses a replica count of the wrong type, naming the field", () => {
    const r = templateWith("gateway", 'replicaCount: "two"\n');
    assert.notEqual(r.status, 0, "helm rendered despite replicaCount: \"two\"");
    assert.match(r.stderr, /replicaCount/);
    assert.match(r.stderr, /got string, want integer/);
  });

  it("refuses an unknown top-level key (additionalProperties false)", () => {
    const r = templateWith("processor", "replicas: 3\n");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /additional properties 'replicas' not allowed/);
  });

  it("refuses an environment variable the service does not read", () => {
    const r = templateWith("processor", 'env:\n  DELIVERY_TIMEOUT_MS: "1000"\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /DELIVERY_TIMEOUT_MS/);
  });

  it("refuses a port other than the one in model/ports.ts", () => {
    const r = templateWith("admin", "service:\n  port: 9999\n");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\/service\/port/);
  });

  it("refuses an ingress scheme outside internet-facing and internal", () => {
    const r = templateWith("gateway", "ingress:\n  scheme: public\n");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\/ingress\/scheme/);
  });

  it("refuses to render without the IRSA role, naming serviceAccount.roleArn", () => {
    const r = templateWith("dispatcher", 'serviceAccount:\n  roleArn: ""\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /serviceAccount\.roleArn is required/);
  });

  it("refuses to render without the brokers of a cluster the service uses", () => {
    const r = templateWith("processor", 'config:\n  kafka:\n    egressBrokers: ""\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /config\.kafka\.egressBrokers is required/);
  });
});
