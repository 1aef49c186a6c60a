import { callsOf, resetResources, resourceNamed, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { interfaceEndpointServices, Network } from "../../components/network";

async function buildNetwork(natStrategy: "single" | "perAz"): Promise<Network> {
  resetResources();
  const network = new Network("network", {
    env: "dev",
    region: "us-east-1",
    cidrBlock: "10.10.0.0/16",
    availabilityZones: 3,
    natStrategy,
    logsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/logs",
    logRetentionDays: 30,
  });
  await settle();
  return network;
}

describe("Network", () => {
  let network: Network;
  before(async () => {
    network = await buildNetwork("single");
  });

  it("builds a /16 VPC over 3 availability zones with public and private subnets", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.ok(vpc);
    assert.equal(vpc.inputs.cidrBlock, "10.10.0.0/16");
    assert.equal(vpc.inputs.numberOfAvailabilityZones, 3);
    assert.deepEqual(
      vpc.inputs.subnetSpecs.map((s: { type: string }) => s.type),
      ["Public", "Private"],
    );
    assert.equal(vpc.inputs.enableDnsHostnames, true);
  });

  it("tags public and private subnets for the load balancer controller", () => {
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    const [pub, priv] = vpc!.inputs.subnetSpecs;
    assert.equal(pub.tags["kubernetes.io/role/elb"], "1");
    assert.equal(priv.tags["kubernetes.io/role/internal-elb"], "1");
  });

  it("uses one NAT gateway for the single strategy", () => {
    assert.equal(resourcesOfType("awsx:ec2:Vpc")[0]!.inputs.natGateways.strategy, "Single");
  });

  it("passes the VPC's subnet ids on as its outputs", async () => {
    assert.deepEqual(await valueOf(network.privateSubnetIds), ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
    assert.equal((await valueOf(network.publicSubnetIds)).length, 3);
  });

  it("adds S3 and DynamoDB gateway endpoints on the private route tables", () => {
    const gateways = resourcesOfType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Gateway");
    assert.deepEqual(gateways.map((e) => e.inputs.serviceName).sort(), ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]);
    for (const e of gateways) assert.deepEqual(e.inputs.routeTableIds, ["rtb-private-1", "rtb-private-2", "rtb-private-3"]);
  });

  it("finds those route tables by their association with the private subnets of this VPC", () => {
    const [lookup] = callsOf("aws:ec2/getRouteTables:getRouteTables");
    assert.ok(lookup, "the route tables were not looked up");
    assert.equal(lookup.inputs.vpcId, "vpc-webhooks-dev-vpc");
    assert.deepEqual(lookup.inputs.filters, [
      { name: "association.subnet-id", values: ["subnet-private-1", "subnet-private-2", "subnet-private-3"] },
    ]);
  });

  it("adds every interface endpoint with private DNS, in the private subnets, behind the endpoint security group", () => {
    const interfaces = resourcesOfType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
    assert.deepEqual(
      interfaces.map((e) => e.inputs.serviceName).sort(),
      ["ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "sts"].map((s) => `com.amazonaws.us-east-1.${s}`),
    );
    assert.equal(interfaces.length, interfaceEndpointServices.length);
    for (const e of interfaces) {
      assert.equal(e.inputs.privateDnsEnabled, true);
      assert.deepEqual(e.inputs.subnetIds, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
      assert.deepEqual(e.inputs.securityGroupIds, ["sg-webhooks-dev-vpc-endpoints-sg"]);
    }
  });

  it("admits only HTTPS from the VPC CIDR to the endpoints", () => {
    const rules = resourcesOfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (r) => r.inputs.securityGroupId === "sg-webhooks-dev-vpc-endpoints-sg",
    );
    assert.equal(rules.length, 1);
    assert.equal(rules[0]!.inputs.cidrIpv4, "10.10.0.0/16");
    assert.equal(rules[0]!.inputs.fromPort, 443);
    assert.equal(rules[0]!.inputs.toPort, 443);
    assert.equal(rules[0]!.inputs.ipProtocol, "tcp");
  });

  it("creates the platform-shared security group by its fixed name", async () => {
    const sg = resourceNamed("aws:ec2/securityGroup:SecurityGroup", "platform-shared");
    assert.equal(sg.inputs.name, "platform-shared");
    assert.equal(await valueOf(network.sharedSecurityGroupId), "sg-platform-shared");
  });

  it("sends flow logs of all traffic to an encrypted log group with retention, through a role scoped to that group", () => {
    const [flowLog] = resourcesOfType("aws:ec2/flowLog:FlowLog");
    assert.equal(flowLog!.inputs.trafficType, "ALL");
    assert.equal(flowLog!.inputs.logDestinationType, "cloud-watch-logs");
    const group = resourceNamed("aws:cloudwatch/logGroup:LogGroup", "webhooks-dev-vpc-flow-logs");
    assert.equal(flowLog!.inputs.logDestination, "arn:aws:logs:us-east-1:123456789012:log-group:/webhooks/dev/vpc-flow-logs");
    assert.equal(group.inputs.retentionInDays, 30);
    assert.equal(group.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/logs");
    assert.match(flowLog!.inputs.iamRoleArn, /role\/webhooks-dev-vpc-flow-logs-role$/);
    const role = resourceNamed("aws:iam/role:Role", "webhooks-dev-vpc-flow-logs-role");
    assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "vpc-flow-logs.amazonaws.com");
    const policy = JSON.parse(resourcesOfType("aws:iam/rolePolicy:RolePolicy")[0]!.inputs.policy);
    for (const statement of policy.Statement) {
      for (const resource of statement.Resource) assert.match(resource, /:log-group:\/webhooks\/dev\/vpc-flow-logs(:|$)/);
    }
  });
});

describe("Network with perAz NAT", () => {
  it("asks awsx for one NAT gateway per availability zone", async () => {
    await buildNetwork("perAz");
    assert.equal(resourcesOfType("awsx:ec2:Vpc")[0]!.inputs.natGateways.strategy, "OnePerAz");
  });
});
