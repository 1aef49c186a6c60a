import { resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../support/stack-file";

// The program as `pulumi up` runs it: index.ts reading Pulumi config (here: the dev stack file,
// serialized the way the CLI hands config to the program: structured values as JSON text).
describe("index.ts with the dev stack's Pulumi config", () => {
  let outputs: Record<string, pulumi.Input<unknown>>;
  before(async () => {
    const config = readStackConfig("dev");
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    );
    outputs = require("../../index");
    await settle();
  });

  it("reads plain and structured keys and builds the dev platform", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.equal(vpc!.inputs.cidrBlock, "10.10.0.0/16");
    const [provider] = resourcesOfType("pulumi:providers:aws");
    assert.equal(provider!.inputs.region, "us-east-1");
    assert.equal(resourcesOfType("aws:msk/cluster:Cluster")[0]!.inputs.clusterName, "webhooks-dev-msk-events");
  });

  it("exports the stack outputs", async () => {
    assert.equal(await valueOf(outputs.env as string), "dev");
    assert.equal(await valueOf(outputs.vpcId as string), "vpc-webhooks-dev-vpc");
    assert.equal(await valueOf(outputs.schemaRegistryName as string), "webhooks-dev-schemas");
    assert.match(await valueOf((outputs.kafkaBootstrapBrokers as Record<string, string>).ingress!), /:9098/);
  });
});
