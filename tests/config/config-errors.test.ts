import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadPlatformConfig, type Env } from "../../config";
import { readStackConfig } from "../support/stack-file";

/** The real stack file of `env` with one value replaced (path below `platform:<key>`), or removed when value is undefined. */
function loadWith(env: Env, key: string, path: (string | number)[], value: unknown) {
  const config = structuredClone(readStackConfig(env));
  const full = `platform:${key}`;
  if (path.length === 0) {
    config[full] = value;
  } else {
    let node = config[full] as Record<string | number, unknown>;
    for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return loadPlatformConfig((k) => config[`platform:${k}`]);
}

/** Asserts a ConfigError naming the key, showing the value, and saying what is allowed. */
function assertProblem(load: () => unknown, key: string, value: unknown, allowed: RegExp): void {
  assert.throws(load, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    const problem = err.problems.find((p) => p.key === key);
    assert.ok(problem, `no problem reported for ${key}; reported: ${err.problems.map((p) => p.key).join(", ")}`);
    assert.deepEqual(problem.value, value);
    assert.match(problem.message, allowed);
    assert.ok(err.message.includes(key), "the message names the key");
    if (value !== undefined) assert.ok(err.message.includes(JSON.stringify(value)), "the message shows the value");
    return true;
  });
}

describe("stack configuration errors", () => {
  it("refuses an unknown environment, listing the known ones", () => {
    assertProblem(() => loadWith("dev", "env", [], "qa"), "platform:env", "qa", /dev, staging, prod/);
  });

  it("refuses a missing environment", () => {
    assertProblem(() => loadWith("dev", "env", [], undefined), "platform:env", undefined, /must be one of: dev, staging, prod/);
  });

  it("refuses a broker count that is not a multiple of the availability zone count", () => {
    assertProblem(
      () => loadWith("prod", "kafka", ["clusters", "ingress", "brokerCount"], 4),
      "platform:kafka.clusters.ingress.brokerCount",
      4,
      /multiple of the availability zone count \(3\): 3, 6, 9/,
    );
  });

  it("refuses an instance type that is not an MSK broker type", () => {
    assertProblem(
      () => loadWith("staging", "kafka", ["clusters", "egress", "instanceType"], "m7g.xlarge"),
      "platform:kafka.clusters.egress.instanceType",
      "m7g.xlarge",
      /must be one of: kafka\.t3\.small, .*kafka\.m7g\.xlarge/,
    );
  });

  it("refuses a VPC CIDR that is not a /16", () => {
    assertProblem(() => loadWith("dev", "network", ["vpcCidr"], "10.10.0.0/20"), "platform:network.vpcCidr", "10.10.0.0/20", /\/16 network address/);
  });

  it("refuses a /16 whose address has host bits set", () => {
    assertProblem(() => loadWith("dev", "network", ["vpcCidr"], "10.10.4.0/16"), "platform:network.vpcCidr", "10.10.4.0/16", /\/16 network address/);
  });

  it("refuses a log retention CloudWatch does not accept, listing the accepted ones", () => {
    assertProblem(
      () => loadWith("dev", "observability", ["logRetentionDays"], 45),
      "platform:observability.logRetentionDays",
      45,
      /1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653/,
    );
  });

  it("refuses a NAT strategy other than single or perAz", () => {
    assertProblem(() => loadWith("dev", "network", ["natStrategy"], "none"), "platform:network.natStrategy", "none", /must be one of: single, perAz/);
  });

  it("refuses an idempotency TTL outside 24..72 hours", () => {
    assertProblem(() => loadWith("dev", "dataStore", ["idempotencyTtlHours"], 96), "platform:dataStore.idempotencyTtlHours", 96, /from 24 to 72/);
    assertProblem(() => loadWith("dev", "dataStore", ["idempotencyTtlHours"], 12), "platform:dataStore.idempotencyTtlHours", 12, /from 24 to 72/);
  });

  it("refuses a malformed Kafka version", () => {
    assertProblem(() => loadWith("dev", "kafka", ["version"], "kraft-3.7"), "platform:kafka.version", "kraft-3.7", /such as 3\.7\.x\.kraft/);
  });

  it("refuses a role mapped to a cluster that is not declared", () => {
    assertProblem(() => loadWith("dev", "kafka", ["roles", "egress"], "outbound"), "platform:kafka.roles.egress", "outbound", /must name a cluster in platform:kafka\.clusters: events/);
  });

  it("refuses a declared cluster no role uses", () => {
    assertProblem(
      () => loadWith("staging", "kafka", ["roles", "egress"], "ingress"),
      "platform:kafka.clusters.egress",
      { instanceType: "kafka.m7g.xlarge", brokerCount: 3, volumeSizeGiB: 500, maxVolumeSizeGiB: 2000 },
      /not used by any role/,
    );
  });

  it("refuses a storage autoscaling maximum below the initial volume size", () => {
    assertProblem(
      () => loadWith("dev", "kafka", ["clusters", "events", "maxVolumeSizeGiB"], 50),
      "platform:kafka.clusters.events.maxVolumeSizeGiB",
      50,
      /at least volumeSizeGiB \(100\)/,
    );
  });

  it("refuses an unknown DynamoDB billing mode", () => {
    assertProblem(() => loadWith("dev", "dataStore", ["billing", "mode"], "reserved"), "platform:dataStore.billing.mode", "reserved", /onDemand, provisioned/);
  });

  it("refuses provisioned capacity whose minimum exceeds its maximum", () => {
    assertProblem(
      () => loadWith("prod", "dataStore", ["billing", "readCapacity"], { min: 500, max: 100 }),
      "platform:dataStore.billing.readCapacity.min",
      500,
      /must not exceed max \(100\)/,
    );
  });

  it("refuses an unknown key inside a value, listing the allowed ones", () => {
    assertProblem(
      () => loadWith("dev", "network", ["natStategy"], "single"),
      "platform:network.natStategy",
      "single",
      /unknown key; allowed: vpcCidr, availabilityZones, natStrategy/,
    );
  });

  it("requires the owner and cost centre tags", () => {
    assertProblem(() => loadWith("dev", "tags", ["owner"], undefined), "platform:tags.owner", undefined, /non-empty string/);
  });

  it("refuses an admin role that is not an IAM role ARN", () => {
    assertProblem(
      () => loadWith("prod", "cluster", ["adminRoleArns", 1], "arn:aws:iam::333333333333:user/alice"),
      "platform:cluster.adminRoleArns[1]",
      "arn:aws:iam::333333333333:user/alice",
      /IAM role ARN/,
    );
  });

  it("refuses a node group whose sizes are not min <= desired <= max", () => {
    assertProblem(
      () => loadWith("staging", "cluster", ["nodeGroups", 0, "desiredSize"], 9),
      "platform:cluster.nodeGroups[0]",
      { minSize: 3, desiredSize: 9, maxSize: 6 },
      /minSize <= desiredSize <= maxSize/,
    );
  });

  it("refuses a node instance type that is not Graviton", () => {
    assertProblem(
      () => loadWith("dev", "cluster", ["nodeGroups", 0, "instanceTypes"], ["m7i.large"]),
      "platform:cluster.nodeGroups[0].instanceTypes[0]",
      "m7i.large",
      /Graviton/,
    );
  });

  it("refuses a Kubernetes version that is not a minor version", () => {
    assertProblem(() => loadWith("dev", "cluster", ["kubernetesVersion"], "1.31.2"), "platform:cluster.kubernetesVersion", "1.31.2", /such as "1\.31"/);
  });

  it("refuses a public EKS endpoint in prod", () => {
    assertProblem(() => loadWith("prod", "cluster", ["endpointPublicAccess"], true), "platform:cluster.endpointPublicAccess", true, /must be false in prod/);
  });

  it("refuses fewer than 3 nodes in prod", () => {
    assertProblem(
      () => loadWith("prod", "cluster", ["nodeGroups", 0, "minSize"], 2),
      "platform:cluster.nodeGroups",
      "minSize total 2",
      /at least 3 nodes/,
    );
  });

  it("refuses a domain without a hosted zone", () => {
    assertProblem(
      () => loadWith("prod", "ingress", ["hostedZoneId"], undefined),
      "platform:ingress",
      { scheme: "internet-facing", domain: "webhooks.example.com" },
      /domain and hostedZoneId must be set together/,
    );
  });

  it("refuses an internet-facing gateway without a domain: a public ALB listens on HTTPS only", () => {
    assertProblem(
      () => loadWith("dev", "ingress", ["scheme"], "internet-facing"),
      "platform:ingress.scheme",
      "internet-facing",
      /needs domain and hostedZoneId .* use internal/,
    );
  });

  it("refuses an ALB scheme other than internet-facing or internal", () => {
    assertProblem(() => loadWith("dev", "ingress", ["scheme"], "public"), "platform:ingress.scheme", "public", /internet-facing, internal/);
  });

  it("refuses fewer than 2 replicas of a service in prod", () => {
    assertProblem(() => loadWith("prod", "services", ["admin", "replicas"], 1), "platform:services.admin.replicas", 1, /at least 2 in prod/);
  });

  it("refuses autoscaling whose minimum exceeds its maximum", () => {
    assertProblem(
      () => loadWith("dev", "services", ["gateway", "autoscaling", "minReplicas"], 3),
      "platform:services.gateway.autoscaling.minReplicas",
      3,
      /must not exceed maxReplicas \(2\)/,
    );
  });

  it("refuses a memory request above the memory limit", () => {
    assertProblem(
      () => loadWith("staging", "services", ["dispatcher", "resources", "memoryRequest"], "2Gi"),
      "platform:services.dispatcher.resources.memoryRequest",
      "2Gi",
      /must not exceed memoryLimit \(1Gi\)/,
    );
  });

  it("refuses an ECR lifecycle that keeps no image", () => {
    assertProblem(() => loadWith("dev", "images", ["keepLastN"], 0), "platform:images.keepLastN", 0, /from 1 to 1000/);
  });

  it("reports every fault at once", () => {
    assert.throws(
      () => {
        const config = structuredClone(readStackConfig("dev"));
        (config["platform:network"] as Record<string, unknown>).natStrategy = "none";
        (config["platform:observability"] as Record<string, unknown>).logRetentionDays = 2;
        loadPlatformConfig((k) => config[`platform:${k}`]);
      },
      (err: unknown) => err instanceof ConfigError && err.problems.length === 2,
    );
  });
});
