import { resourcesOfType, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildStack, stackInvariants, type BuiltStack } from "../support/stack-invariants";

describe("staging stack, built from Pulumi.staging.yaml", () => {
  let stack: BuiltStack;
  before(async () => {
    stack = await buildStack("staging");
  });

  stackInvariants("staging", () => stack);

  it("uses its own /16 and a NAT gateway per availability zone", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.equal(vpc!.inputs.cidrBlock, "10.20.0.0/16");
    assert.equal(vpc!.inputs.natGateways.strategy, "OnePerAz");
  });

  it("runs an ingress and an egress cluster, each 3 x kafka.m7g.xlarge", async () => {
    const clusters = resourcesOfType("aws:msk/cluster:Cluster");
    assert.deepEqual(clusters.map((c) => c.inputs.clusterName).sort(), ["webhooks-staging-msk-egress", "webhooks-staging-msk-ingress"]);
    for (const c of clusters) {
      assert.equal(c.inputs.numberOfBrokerNodes, 3);
      assert.equal(c.inputs.brokerNodeGroupInfo.instanceType, "kafka.m7g.xlarge");
      assert.equal(c.inputs.brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize, 500);
    }
    const brokers = (stack.platform.outputs as { kafkaBootstrapBrokers: Record<string, string> }).kafkaBootstrapBrokers;
    assert.notEqual(await valueOf(brokers.ingress!), await valueOf(brokers.egress!));
  });

  it("bills DynamoDB on demand and leaves deletion protection off", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(t.inputs.deletionProtectionEnabled, false);
    }
  });
});
