import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, envDefaults, envs, loadPlatformConfig, type Env } from "../../config";
import { readStackConfig } from "../support/stack-file";

/** The real stack file of `env` with `platform:observability` changed by `edit`. */
function loadWithObservability(env: Env, edit: (o: Record<string, any>) => void) {
  const config = structuredClone(readStackConfig(env));
  edit(config["platform:observability"] as Record<string, any>);
  return loadPlatformConfig((k) => config[`platform:${k}`]);
}

function assertProblem(load: () => unknown, key: string, value: unknown, allowed: RegExp): void {
  assert.throws(load, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    const problem = err.problems.find((p) => p.key === key);
    assert.ok(problem, `no problem reported for ${key}; reported: ${err.problems.map((p) => `${p.key}: ${p.message}`).join("; ")}`);
    assert.deepEqual(problem.value, value);
    assert.match(problem.message, allowed);
    assert.ok(err.message.includes(key), "the message names the key");
    return true;
  });
}

const saml = { idpMetadataUrl: "https://idp.example.com/saml/metadata", roleAssertion: "role", adminRoleValues: ["grafana-admin"], editorRoleValues: [] };

describe("platform:observability", () => {
  it("reads the thresholds, objectives and Grafana sign-in each stack file sets", () => {
    for (const env of envs) {
      const o = loadPlatformConfig((k) => readStackConfig(env)[`platform:${k}`]).observability;
      assert.equal(o.grafanaAuthentication, "AWS_SSO");
      assert.deepEqual(o.alerts, { retriesPerMinute: 60, dlqRecordsPerHour: 1, partnerErrorPercent: 5, consumerLagRecords: 10000, podRestartsPerHour: 3 });
      assert.deepEqual(o.slo, { validationSuccessPercent: 99, deliverySuccessPercent: 99.5, endToEndP95Seconds: 10 });
      assert.equal(o.grafanaEnabled, env !== "dev");
    }
  });

  it("fills thresholds, objectives and sign-in from the defaults when a stack leaves them out", () => {
    const o = loadWithObservability("prod", (obs) => {
      delete obs.alerts;
      delete obs.slo;
      delete obs.grafanaAuthentication;
    }).observability;
    assert.deepEqual(o.alerts, envDefaults.prod.observability!.alerts);
    assert.deepEqual(o.slo, envDefaults.prod.observability!.slo);
    assert.equal(o.grafanaAuthentication, "AWS_SSO");
  });

  it("merges one changed threshold over the defaults", () => {
    const o = loadWithObservability("dev", (obs) => {
      obs.alerts = { consumerLagRecords: 500 };
    }).observability;
    assert.equal(o.alerts.consumerLagRecords, 500);
    assert.equal(o.alerts.retriesPerMinute, 60);
  });

  it("refuses a percentage over 100, naming the key and the range", () => {
    assertProblem(
      () => loadWithObservability("staging", (obs) => (obs.alerts.partnerErrorPercent = 150)),
      "platform:observability.alerts.partnerErrorPercent",
      150,
      /must be a percentage from 0\.1 to 100/,
    );
    assertProblem(
      () => loadWithObservability("prod", (obs) => (obs.slo.deliverySuccessPercent = 100.5)),
      "platform:observability.slo.deliverySuccessPercent",
      100.5,
      /must be a percentage from 50 to 100/,
    );
  });

  it("refuses a lag threshold that is not a positive integer", () => {
    assertProblem(
      () => loadWithObservability("dev", (obs) => (obs.alerts.consumerLagRecords = 0)),
      "platform:observability.alerts.consumerLagRecords",
      0,
      /must be an integer from 1 to 100000000/,
    );
  });

  it("refuses an unknown threshold, listing the known ones", () => {
    assertProblem(
      () => loadWithObservability("dev", (obs) => (obs.alerts.retriesPerHour = 5)),
      "platform:observability.alerts.retriesPerHour",
      5,
      /unknown key; allowed: retriesPerMinute, dlqRecordsPerHour, partnerErrorPercent, consumerLagRecords, podRestartsPerHour/,
    );
  });

  it("refuses a Grafana sign-in other than AWS_SSO or SAML", () => {
    assertProblem(
      () => loadWithObservability("staging", (obs) => (obs.grafanaAuthentication = "OKTA")),
      "platform:observability.grafanaAuthentication",
      "OKTA",
      /must be one of: AWS_SSO, SAML/,
    );
  });

  it("asks for the SAML settings when Grafana signs in with SAML", () => {
    assertProblem(
      () => loadWithObservability("prod", (obs) => (obs.grafanaAuthentication = "SAML")),
      "platform:observability.grafanaSaml",
      undefined,
      /must be set \(idpMetadataUrl, roleAssertion, adminRoleValues, editorRoleValues\) when grafanaAuthentication is SAML/,
    );
    const o = loadWithObservability("prod", (obs) => {
      obs.grafanaAuthentication = "SAML";
      obs.grafanaSaml = saml;
    }).observability;
    assert.deepEqual(o.grafanaSaml, saml);
  });

  it("refuses SAML settings beside AWS_SSO, and a metadata URL that is not https", () => {
    assertProblem(
      () => loadWithObservability("staging", (obs) => (obs.grafanaSaml = saml)),
      "platform:observability.grafanaSaml",
      saml,
      /only used with grafanaAuthentication SAML \(it is AWS_SSO\); remove it/,
    );
    assertProblem(
      () =>
        loadWithObservability("staging", (obs) => {
          obs.grafanaAuthentication = "SAML";
          obs.grafanaSaml = { ...saml, idpMetadataUrl: "http://idp.example.com/metadata" };
        }),
      "platform:observability.grafanaSaml.idpMetadataUrl",
      "http://idp.example.com/metadata",
      /must be the https URL of the IdP's SAML metadata/,
    );
  });
});
