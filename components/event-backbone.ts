// Event backbone: Amazon MSK clusters by role (ingress, egress; config may map both roles onto
// one cluster), reachable only over SASL/IAM + TLS on 9098 from client security groups,
// encrypted at rest with the kafka CMK, with a hardened broker configuration, per-partition
// monitoring, Prometheus exporters, broker logs in CloudWatch and EBS storage autoscaling.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { BrokerSpec, Env } from "../config";
import { clusterRoles, type ClusterRole } from "../model/topics";
import { mskIamPort } from "../model/ports";
import { componentTags, fixedNames, resourceName } from "./naming";

export interface EventBackboneArgs {
  env: Env;
  kafkaVersion: string;
  /** Physical clusters by name; already validated (broker count a multiple of the AZ count, ...). */
  clusters: Record<string, BrokerSpec>;
  /** Which cluster serves each role. */
  roles: Record<ClusterRole, string>;
  topicPartitions: number;
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per availability zone. */
  subnetIds: pulumi.Input<string[]>;
  /** Security groups admitted on the IAM port; more can be admitted later with `admitClient`. */
  clientSecurityGroupIds: Record<string, pulumi.Input<string>>;
  kafkaKeyArn: pulumi.Input<string>;
  logsKeyArn: pulumi.Input<string>;
  logRetentionDays: number;
}

/** Broker settings every cluster runs with: nothing created implicitly, no data loss on failover. */
export function brokerServerProperties(topicPartitions: number): Record<string, string> {
  return {
    "auto.create.topics.enable": "false",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
    "num.partitions": String(topicPartitions),
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "delete.topic.enable": "true",
    "log.retention.hours": "168",
    "message.max.bytes": "1048588",
    "replica.lag.time.max.ms": "30000",
  };
}

/** Storage autoscaling grows a broker's volume when its disk use passes this percentage. */
export const storageTargetUtilizationPercent = 60;

export class EventBackbone extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly bootstrapBrokers: Record<ClusterRole, pulumi.Output<string>>;
  readonly clusterArns: Record<ClusterRole, pulumi.Output<string>>;
  readonly clusterNames: Record<ClusterRole, pulumi.Output<string>>;
  readonly logGroupName: pulumi.Output<string>;
  private readonly env: Env;

  constructor(name: string, args: EventBackboneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kafka:EventBackbone", name, args, opts);
    this.env = args.env;
    const tags = componentTags("event-backbone");

    const sg = new aws.ec2.SecurityGroup(
      fixedNames.eventsSecurityGroup(args.env),
      {
        name: fixedNames.eventsSecurityGroup(args.env),
        description: `MSK brokers: SASL/IAM over TLS on ${mskIamPort} from client security groups only`,
        vpcId: args.vpcId,
        tags,
      },
      { parent: this },
    );
    this.securityGroupId = sg.id;
    for (const [client, sgId] of Object.entries(args.clientSecurityGroupIds)) this.admitClient(client, sgId);

    const logGroup = new aws.cloudwatch.LogGroup(
      resourceName(args.env, "msk-broker-logs"),
      { name: fixedNames.mskLogGroup, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn, tags },
      { parent: this },
    );
    this.logGroupName = logGroup.name;

    const configuration = new aws.msk.Configuration(
      resourceName(args.env, "msk-config"),
      {
        name: resourceName(args.env, "msk-config"),
        description: "Platform broker settings: explicit topics, RF 3, min ISR 2, no unclean election",
        kafkaVersions: [args.kafkaVersion],
        serverProperties: Object.entries(brokerServerProperties(args.topicPartitions))
          .map(([k, v]) => `${k}=${v}`)
          .join("\n"),
      },
      { parent: this },
    );

    const clusters: Record<string, aws.msk.Cluster> = {};
    for (const [clusterKey, spec] of Object.entries(args.clusters)) {
      const clusterName = resourceName(args.env, `msk-${clusterKey}`);
      // Tag values allow no commas.
      const servesRoles = clusterRoles.filter((r) => args.roles[r] === clusterKey).join("+");
      const cluster = new aws.msk.Cluster(
        clusterName,
        {
          clusterName,
          kafkaVersion: args.kafkaVersion,
          numberOfBrokerNodes: spec.brokerCount,
          brokerNodeGroupInfo: {
            instanceType: spec.instanceType,
            clientSubnets: args.subnetIds,
            securityGroups: [sg.id],
            storageInfo: { ebsStorageInfo: { volumeSize: spec.volumeSizeGiB } },
          },
          clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
          encryptionInfo: {
            encryptionAtRestKmsKeyArn: args.kafkaKeyArn,
            encryptionInTransit: { clientBroker: "TLS", inCluster: true },
          },
          configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
          enhancedMonitoring: "PER_TOPIC_PER_PARTITION",
          openMonitoring: { prometheus: { jmxExporter: { enabledInBroker: true }, nodeExporter: { enabledInBroker: true } } },
          loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
          tags: { ...tags, "kafka-roles": servesRoles },
        },
        // Storage autoscaling grows the volumes; the program must not shrink them back.
        { parent: this, ignoreChanges: ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"] },
      );
      this.storageAutoscaling(clusterName, cluster, spec);
      clusters[clusterKey] = cluster;
    }

    const byRole = <T>(pick: (c: aws.msk.Cluster) => T) =>
      Object.fromEntries(clusterRoles.map((r) => [r, pick(clusters[args.roles[r]]!)])) as Record<ClusterRole, T>;
    this.bootstrapBrokers = byRole((c) => c.bootstrapBrokersSaslIam);
    this.clusterArns = byRole((c) => c.arn);
    this.clusterNames = byRole((c) => c.clusterName);

    this.registerOutputs({
      securityGroupId: this.securityGroupId,
      bootstrapBrokers: this.bootstrapBrokers,
      clusterArns: this.clusterArns,
      logGroupName: this.logGroupName,
    });
  }

  /** Admits a client security group on the MSK IAM port (the EKS tier calls this for its node/pod groups). */
  admitClient(client: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
    return new aws.vpc.SecurityGroupIngressRule(
      resourceName(this.env, `msk-from-${client}`),
      {
        securityGroupId: this.securityGroupId,
        description: `Kafka SASL/IAM from ${client}`,
        ipProtocol: "tcp",
        fromPort: mskIamPort,
        toPort: mskIamPort,
        referencedSecurityGroupId: securityGroupId,
        tags: componentTags("event-backbone"),
      },
      { parent: this },
    );
  }

  private storageAutoscaling(clusterName: string, cluster: aws.msk.Cluster, spec: BrokerSpec): void {
    const target = new aws.appautoscaling.Target(
      `${clusterName}-storage`,
      {
        serviceNamespace: "kafka",
        scalableDimension: "kafka:broker-storage:VolumeSize",
        resourceId: cluster.arn,
        minCapacity: 1,
        maxCapacity: spec.maxVolumeSizeGiB,
        tags: componentTags("event-backbone"),
      },
      { parent: this },
    );
    new aws.appautoscaling.Policy(
      `${clusterName}-storage`,
      {
        name: `${clusterName}-storage`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" },
          targetValue: storageTargetUtilizationPercent,
          // MSK volumes cannot shrink.
          disableScaleIn: true,
        },
      },
      { parent: this },
    );
  }
}
