import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { envs, loadPlatformConfig, type PlatformConfig } from "../../config";
import { readStackConfig, sourceOf, stackFileSource } from "../support/stack-file";
import { serviceNames } from "../../model/access";

const loaded = Object.fromEntries(envs.map((env) => [env, loadPlatformConfig(stackFileSource(env))])) as Record<(typeof envs)[number], PlatformConfig>;

describe("the stack files", () => {
  it("each load and validate as their own environment in us-east-1", () => {
    for (const env of envs) {
      assert.equal(loaded[env].env, env);
      assert.equal(loaded[env].region, "us-east-1");
    }
  });

  it("give each environment a distinct /16", () => {
    const cidrs = envs.map((env) => loaded[env].network.vpcCidr);
    assert.equal(new Set(cidrs).size, 3, cidrs.join(", "));
    for (const c of cidrs) assert.match(c, /\/16$/);
  });

  it("size MSK per environment: dev 3 x m7g.large, staging 3 x m7g.xlarge, prod 6 x m7g.xlarge per cluster", () => {
    const shape = (c: PlatformConfig) => Object.values(c.kafka.clusters).map((b) => `${b.brokerCount} x ${b.instanceType}`);
    assert.deepEqual(shape(loaded.dev), ["3 x kafka.m7g.large"]);
    assert.deepEqual(shape(loaded.staging), ["3 x kafka.m7g.xlarge", "3 x kafka.m7g.xlarge"]);
    assert.deepEqual(shape(loaded.prod), ["6 x kafka.m7g.xlarge", "6 x kafka.m7g.xlarge"]);
    for (const env of envs) {
      assert.equal(loaded[env].kafka.version, "3.7.x.kraft");
      assert.equal(loaded[env].kafka.topicPartitions, 6);
      for (const b of Object.values(loaded[env].kafka.clusters)) assert.ok(b.maxVolumeSizeGiB > b.volumeSizeGiB);
    }
  });

  it("use one NAT gateway in dev and one per AZ elsewhere", () => {
    assert.deepEqual(envs.map((env) => loaded[env].network.natStrategy), ["single", "perAz", "perAz"]);
  });

  it("turn Grafana off in dev and on elsewhere, and keep logs 30 days", () => {
    assert.deepEqual(envs.map((env) => loaded[env].observability.grafanaEnabled), [false, true, true]);
    for (const env of envs) assert.equal(loaded[env].observability.logRetentionDays, 30);
  });

  it("keep idempotency keys 48 hours and tag owner and cost centre", () => {
    for (const env of envs) {
      assert.equal(loaded[env].dataStore.idempotencyTtlHours, 48);
      assert.ok(loaded[env].tags.owner && loaded[env].tags.costCenter);
    }
  });

  it("make prod private and redundant: private EKS endpoint, 3+ nodes, 2+ replicas per service", () => {
    const prod = loaded.prod;
    assert.equal(prod.cluster.endpointPublicAccess, false);
    assert.ok(prod.cluster.nodeGroups.reduce((n, g) => n + g.minSize, 0) >= 3);
    for (const s of serviceNames) assert.ok(prod.services[s].replicas >= 2, s);
  });

  it("pin no pulumi settings beyond disabling the default AWS provider", () => {
    for (const env of envs) {
      const pulumiKeys = Object.keys(readStackConfig(env)).filter((k) => !k.startsWith("platform:"));
      assert.deepEqual(pulumiKeys, ["pulumi:disable-default-providers"]);
      assert.deepEqual(readStackConfig(env)["pulumi:disable-default-providers"], ["aws"]);
    }
  });
});

describe("per-environment defaults", () => {
  const minimal = (env: string) => loadPlatformConfig(sourceOf({ env, tags: { owner: "team", costCenter: "cc" } }));

  it("fill every key a stack leaves out", () => {
    const dev = minimal("dev");
    assert.equal(dev.region, "us-east-1");
    assert.equal(dev.network.natStrategy, "single");
    assert.equal(dev.kafka.version, "3.7.x.kraft");
    assert.equal(dev.dataStore.idempotencyTtlHours, 48);
    assert.deepEqual(dev.dataStore.billing, { mode: "onDemand" });
    assert.equal(dev.images.keepLastN, 20);
    assert.equal(dev.observability.grafanaEnabled, false);
    const prod = minimal("prod");
    assert.equal(prod.network.natStrategy, "perAz");
    assert.equal(prod.kafka.clusters.ingress!.brokerCount, 6);
    assert.equal(prod.cluster.endpointPublicAccess, false);
  });

  it("merge a partial value over the defaults field by field", () => {
    const dev = loadPlatformConfig(sourceOf({ env: "dev", tags: { owner: "team", costCenter: "cc" }, network: { vpcCidr: "10.99.0.0/16" } }));
    assert.equal(dev.network.vpcCidr, "10.99.0.0/16");
    assert.equal(dev.network.natStrategy, "single");
  });

  it("replace the default cluster set when a stack declares its own clusters", () => {
    const dev = loadPlatformConfig(
      sourceOf({
        env: "dev",
        tags: { owner: "team", costCenter: "cc" },
        kafka: {
          clusters: { main: { instanceType: "kafka.m7g.large", brokerCount: 3, volumeSizeGiB: 100, maxVolumeSizeGiB: 200 } },
          roles: { ingress: "main", egress: "main" },
        },
      }),
    );
    assert.deepEqual(Object.keys(dev.kafka.clusters), ["main"]);
    assert.equal(dev.kafka.version, "3.7.x.kraft");
  });
});
