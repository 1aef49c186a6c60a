import { resourcesOfType } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildStack, stackInvariants, type BuiltStack } from "../support/stack-invariants";

describe("prod stack, built from Pulumi.prod.yaml", () => {
  let stack: BuiltStack;
  before(async () => {
    stack = await buildStack("prod");
  });

  stackInvariants("prod", () => stack);

  it("uses its own /16 and a NAT gateway per availability zone", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.equal(vpc!.inputs.cidrBlock, "10.30.0.0/16");
    assert.equal(vpc!.inputs.natGateways.strategy, "OnePerAz");
  });

  it("runs an ingress and an egress cluster, each 6 x kafka.m7g.xlarge, autoscaling storage to 4000 GiB", () => {
    const clusters = resourcesOfType("aws:msk/cluster:Cluster");
    assert.equal(clusters.length, 2);
    for (const c of clusters) {
      assert.equal(c.inputs.numberOfBrokerNodes, 6);
      assert.equal(c.inputs.brokerNodeGroupInfo.instanceType, "kafka.m7g.xlarge");
    }
    const storageTargets = resourcesOfType("aws:appautoscaling/target:Target").filter((t) => t.inputs.serviceNamespace === "kafka");
    assert.deepEqual(storageTargets.map((t) => t.inputs.maxCapacity), [4000, 4000]);
  });

  it("protects every table from deletion", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, true, t.inputs.name);
  });

  it("provisions DynamoDB capacity with autoscaling of every table and index", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.equal(t.inputs.billingMode, "PROVISIONED");
      assert.equal(t.inputs.readCapacity, 25);
    }
    const dynamoTargets = resourcesOfType("aws:appautoscaling/target:Target").filter((t) => t.inputs.serviceNamespace === "dynamodb");
    assert.ok(dynamoTargets.some((t) => t.inputs.resourceId === "table/event_schema/index/status-index"));
    for (const t of dynamoTargets) assert.equal(t.inputs.maxCapacity, 2000);
  });

  it("keeps deleted secrets recoverable for 30 days", () => {
    for (const s of resourcesOfType("aws:secretsmanager/secret:Secret")) assert.equal(s.inputs.recoveryWindowInDays, 30);
  });

  it("keeps the EKS API endpoint private and at least 2 replicas per service (for the cluster tier)", () => {
    assert.equal(stack.config.cluster.endpointPublicAccess, false);
    for (const s of Object.values(stack.config.services)) assert.ok(s.replicas >= 2);
  });
});
