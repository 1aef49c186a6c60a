import { resourcesOfType, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildStack, stackInvariants, type BuiltStack } from "../support/stack-invariants";

describe("dev stack, built from Pulumi.dev.yaml", () => {
  let stack: BuiltStack;
  before(async () => {
    stack = await buildStack("dev");
  });

  stackInvariants("dev", () => stack);

  it("uses its own /16 and a single NAT gateway", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.equal(vpc!.inputs.cidrBlock, "10.10.0.0/16");
    assert.equal(vpc!.inputs.numberOfAvailabilityZones, 3);
    assert.equal(vpc!.inputs.natGateways.strategy, "Single");
  });

  it("runs both Kafka roles on one cluster of 3 x kafka.m7g.large on Kafka 3.7 (KRaft)", async () => {
    const clusters = resourcesOfType("aws:msk/cluster:Cluster");
    assert.equal(clusters.length, 1);
    assert.equal(clusters[0]!.inputs.clusterName, "webhooks-dev-msk-events");
    assert.equal(clusters[0]!.inputs.numberOfBrokerNodes, 3);
    assert.equal(clusters[0]!.inputs.brokerNodeGroupInfo.instanceType, "kafka.m7g.large");
    assert.equal(clusters[0]!.inputs.kafkaVersion, "3.7.x.kraft");
    const outputs = stack.platform.outputs as { kafkaBootstrapBrokers: Record<string, unknown> };
    assert.equal(await valueOf(outputs.kafkaBootstrapBrokers.ingress as string), await valueOf(outputs.kafkaBootstrapBrokers.egress as string));
  });

  it("bills DynamoDB on demand and leaves deletion protection off", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(t.inputs.deletionProtectionEnabled, false);
    }
    assert.equal(resourcesOfType("aws:appautoscaling/target:Target").filter((t) => t.inputs.serviceNamespace === "dynamodb").length, 0);
  });

  it("exports the ids, endpoints, names and ARNs later tiers and operators need", async () => {
    const outputs = stack.platform.outputs;
    for (const key of ["vpcId", "publicSubnetIds", "privateSubnetIds", "securityGroupIds", "kafkaBootstrapBrokers", "kafkaClusterArns", "tableNames", "tableArns", "schemaRegistryName", "keyArns", "secretArns"]) {
      assert.ok(key in outputs, `missing stack output ${key}`);
    }
    assert.equal(await valueOf(outputs.schemaRegistryName as string), "webhooks-dev-schemas");
    assert.deepEqual(await valueOf(outputs.securityGroupIds as Record<string, string>), {
      shared: "sg-platform-shared",
      events: "sg-platform-events-dev-sg",
      vpcEndpoints: "sg-webhooks-dev-vpc-endpoints-sg",
    });
  });
});
