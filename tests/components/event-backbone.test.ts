import { allOptions, allResources, optionsOf, recordOptions, resetResources, resourceNamed, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventBackbone, type EventBackboneArgs } from "../../components/event-backbone";
import { mskIamPort } from "../../model/ports";

const kafkaKeyArn = "arn:aws:kms:us-east-1:123456789012:key/kafka";
const logsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/logs";

function args(overrides: Partial<EventBackboneArgs> = {}): EventBackboneArgs {
  return {
    env: "staging",
    kafkaVersion: "3.7.x.kraft",
    clusters: {
      ingress: { instanceType: "kafka.m7g.xlarge", brokerCount: 3, volumeSizeGiB: 500, maxVolumeSizeGiB: 2000 },
      egress: { instanceType: "kafka.m7g.xlarge", brokerCount: 6, volumeSizeGiB: 800, maxVolumeSizeGiB: 4000 },
    },
    roles: { ingress: "ingress", egress: "egress" },
    topicPartitions: 6,
    vpcId: "vpc-1",
    subnetIds: ["subnet-private-1", "subnet-private-2", "subnet-private-3"],
    clientSecurityGroupIds: { shared: "sg-platform-shared" },
    kafkaKeyArn,
    logsKeyArn,
    logRetentionDays: 30,
    ...overrides,
  };
}

async function build(a: EventBackboneArgs): Promise<EventBackbone> {
  resetResources();
  const backbone = new EventBackbone("backbone", a, { transformations: [recordOptions] });
  await settle();
  return backbone;
}

describe("EventBackbone with a cluster per role", () => {
  let backbone: EventBackbone;
  before(async () => {
    backbone = await build(args());
  });

  const cluster = (name: string) => resourceNamed("aws:msk/cluster:Cluster", name).inputs;

  it("creates one MSK cluster per role, named webhooks-{env}-msk-{cluster}", () => {
    assert.deepEqual(resourcesOfType("aws:msk/cluster:Cluster").map((c) => c.inputs.clusterName).sort(), [
      "webhooks-staging-msk-egress",
      "webhooks-staging-msk-ingress",
    ]);
  });

  it("runs the configured Kafka version, broker type and broker count", () => {
    const ingress = cluster("webhooks-staging-msk-ingress");
    assert.equal(ingress.kafkaVersion, "3.7.x.kraft");
    assert.equal(ingress.brokerNodeGroupInfo.instanceType, "kafka.m7g.xlarge");
    assert.equal(ingress.numberOfBrokerNodes, 3);
    assert.equal(cluster("webhooks-staging-msk-egress").numberOfBrokerNodes, 6);
  });

  it("places brokers in the private subnets behind platform-events-<env>-sg only", () => {
    const ingress = cluster("webhooks-staging-msk-ingress");
    assert.deepEqual(ingress.brokerNodeGroupInfo.clientSubnets, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
    assert.deepEqual(ingress.brokerNodeGroupInfo.securityGroups, ["sg-platform-events-staging-sg"]);
    assert.equal(resourceNamed("aws:ec2/securityGroup:SecurityGroup", "platform-events-staging-sg").inputs.name, "platform-events-staging-sg");
  });

  it("turns SASL/IAM on and unauthenticated access off", () => {
    const auth = cluster("webhooks-staging-msk-ingress").clientAuthentication;
    assert.equal(auth.sasl.iam, true);
    assert.equal(auth.unauthenticated, false);
    assert.equal(auth.sasl.scram, undefined);
  });

  it("encrypts client-broker and in-cluster traffic with TLS, and data at rest with the kafka CMK", () => {
    for (const c of resourcesOfType("aws:msk/cluster:Cluster")) {
      assert.equal(c.inputs.encryptionInfo.encryptionInTransit.clientBroker, "TLS");
      assert.equal(c.inputs.encryptionInfo.encryptionInTransit.inCluster, true);
      assert.equal(c.inputs.encryptionInfo.encryptionAtRestKmsKeyArn, kafkaKeyArn);
    }
  });

  it("applies the broker configuration with every hardening property", () => {
    const [config] = resourcesOfType("aws:msk/configuration:Configuration");
    const props = Object.fromEntries(
      (config!.inputs.serverProperties as string).split("\n").map((line) => line.split("=") as [string, string]),
    );
    assert.equal(props["auto.create.topics.enable"], "false");
    assert.equal(props["default.replication.factor"], "3");
    assert.equal(props["min.insync.replicas"], "2");
    assert.equal(props["unclean.leader.election.enable"], "false");
    assert.equal(props["num.partitions"], "6");
    assert.equal(props["offsets.topic.replication.factor"], "3");
    assert.equal(props["transaction.state.log.min.isr"], "2");
    assert.deepEqual(config!.inputs.kafkaVersions, ["3.7.x.kraft"]);
    const info = cluster("webhooks-staging-msk-ingress").configurationInfo;
    assert.match(info.arn, /configuration\/webhooks-staging-msk-config\//);
    assert.equal(info.revision, 1);
  });

  it("monitors per topic per partition and enables the JMX and node exporters", () => {
    const c = cluster("webhooks-staging-msk-egress");
    assert.equal(c.enhancedMonitoring, "PER_TOPIC_PER_PARTITION");
    assert.equal(c.openMonitoring.prometheus.jmxExporter.enabledInBroker, true);
    assert.equal(c.openMonitoring.prometheus.nodeExporter.enabledInBroker, true);
  });

  it("ships broker logs to /platform/msk with the configured retention and the logs CMK", () => {
    const c = cluster("webhooks-staging-msk-egress");
    assert.equal(c.loggingInfo.brokerLogs.cloudwatchLogs.enabled, true);
    assert.equal(c.loggingInfo.brokerLogs.cloudwatchLogs.logGroup, "/platform/msk");
    const group = resourceNamed("aws:cloudwatch/logGroup:LogGroup", "webhooks-staging-msk-broker-logs").inputs;
    assert.equal(group.name, "/platform/msk");
    assert.equal(group.retentionInDays, 30);
    assert.equal(group.kmsKeyId, logsKeyArn);
  });

  it("sizes EBS per cluster and autoscales storage up to the configured maximum, never scaling in", () => {
    assert.equal(cluster("webhooks-staging-msk-egress").brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize, 800);
    const target = resourceNamed("aws:appautoscaling/target:Target", "webhooks-staging-msk-egress-storage").inputs;
    assert.equal(target.serviceNamespace, "kafka");
    assert.equal(target.scalableDimension, "kafka:broker-storage:VolumeSize");
    assert.equal(target.maxCapacity, 4000);
    assert.match(target.resourceId, /cluster\/webhooks-staging-msk-egress\//);
    const policy = resourceNamed("aws:appautoscaling/policy:Policy", "webhooks-staging-msk-egress-storage").inputs;
    assert.equal(policy.policyType, "TargetTrackingScaling");
    const tracking = policy.targetTrackingScalingPolicyConfiguration;
    assert.equal(tracking.predefinedMetricSpecification.predefinedMetricType, "KafkaBrokerStorageUtilization");
    assert.equal(tracking.disableScaleIn, true);
  });

  it("ignores volume size drift so autoscaled volumes are not shrunk back", () => {
    for (const c of resourcesOfType("aws:msk/cluster:Cluster")) {
      assert.deepEqual(optionsOf(c.type, c.name).ignoreChanges, ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"]);
    }
  });

  it("parents every resource it creates to the component", () => {
    const children = allOptions().filter((o) => o.type !== "platform:kafka:EventBackbone");
    assert.equal(children.length, allResources().length - 1);
    for (const o of children) assert.equal(o.opts.parent, backbone, `${o.type} ${o.name} is not parented to the component`);
  });

  it("admits 9098 from the client security groups only, never from a CIDR", () => {
    const rules = resourcesOfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    assert.equal(rules.length, 1);
    const rule = rules[0]!.inputs;
    assert.equal(rule.securityGroupId, "sg-platform-events-staging-sg");
    assert.equal(rule.referencedSecurityGroupId, "sg-platform-shared");
    assert.equal(rule.fromPort, mskIamPort);
    assert.equal(rule.toPort, mskIamPort);
    assert.equal(rule.cidrIpv4, undefined);
  });

  it("lets a later tier admit its own security group", async () => {
    backbone.admitClient("eks-pods", "sg-eks-pods");
    await settle();
    const rule = resourceNamed("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "webhooks-staging-msk-from-eks-pods").inputs;
    assert.equal(rule.referencedSecurityGroupId, "sg-eks-pods");
    assert.equal(rule.fromPort, 9098);
  });

  it("exposes SASL/IAM bootstrap brokers and cluster ARNs per role", async () => {
    assert.match(await valueOf(backbone.bootstrapBrokers.ingress), /^b-1\.webhooks-staging-msk-ingress\..*:9098,/);
    assert.match(await valueOf(backbone.bootstrapBrokers.egress), /webhooks-staging-msk-egress/);
    assert.match(await valueOf(backbone.clusterArns.egress), /^arn:aws:kafka:us-east-1:123456789012:cluster\/webhooks-staging-msk-egress\//);
    assert.equal(await valueOf(backbone.securityGroupId), "sg-platform-events-staging-sg");
  });
});

describe("EventBackbone with both roles on one cluster", () => {
  it("creates a single cluster and points both roles at it", async () => {
    const backbone = await build(
      args({
        env: "dev",
        clusters: { events: { instanceType: "kafka.m7g.large", brokerCount: 3, volumeSizeGiB: 100, maxVolumeSizeGiB: 500 } },
        roles: { ingress: "events", egress: "events" },
      }),
    );
    const clusters = resourcesOfType("aws:msk/cluster:Cluster");
    assert.equal(clusters.length, 1);
    assert.equal(clusters[0]!.inputs.clusterName, "webhooks-dev-msk-events");
    assert.equal(clusters[0]!.inputs.tags["kafka-roles"], "ingress+egress");
    assert.equal(await valueOf(backbone.bootstrapBrokers.ingress), await valueOf(backbone.bootstrapBrokers.egress));
  });
});
