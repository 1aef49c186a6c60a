// The composition of the tiers: one explicit AWS provider carrying the stack-wide default
// tags, then each tier in dependency order, wired by outputs. index.ts calls buildPlatform with
// the validated config; the stack tests call the same function. Later tiers (cluster,
// services, observability) are added here, after the ones they consume.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { PlatformConfig } from "../config";
import type { Contract } from "../model/contracts";
import { clusterRoles, type ClusterRole } from "../model/topics";
import { DataStore } from "./data-store";
import { EventBackbone } from "./event-backbone";
import { Keys } from "./keys";
import { defaultTags, resourceName } from "./naming";
import { Network } from "./network";
import { SchemaRegistry } from "./schema-registry";
import { Secrets } from "./secrets";
import { buildKubernetesTiers } from "./kubernetes-tiers";
import { Observability } from "./observability";

export interface Platform {
  provider: aws.Provider;
  keys: Keys;
  network: Network;
  eventBackbone: EventBackbone;
  schemaRegistry: SchemaRegistry;
  dataStore: DataStore;
  secrets: Secrets;
  /** The stack outputs. */
  outputs: Record<string, pulumi.Input<unknown>>;
}

/** The AWS provider every resource of the stack uses: region and default tags from the config. */
export function createAwsProvider(config: PlatformConfig): aws.Provider {
  return new aws.Provider(resourceName(config.env, "aws"), {
    region: config.region,
    defaultTags: {
      tags: defaultTags({ environment: config.env, owner: config.tags.owner, costCenter: config.tags.costCenter }),
    },
  });
}

/** `extra` options go to every tier (the tests pass a transformation that records options). */
export function buildPlatform(config: PlatformConfig, contracts: readonly Contract[], extra: pulumi.ComponentResourceOptions = {}): Platform {
  const provider = createAwsProvider(config);
  const opts: pulumi.ComponentResourceOptions = { ...extra, providers: [provider] };
  const { env } = config;

  const keys = new Keys(resourceName(env, "keys"), { env, region: config.region }, opts);

  const network = new Network(
    resourceName(env, "network"),
    {
      env,
      region: config.region,
      cidrBlock: config.network.vpcCidr,
      availabilityZones: config.network.availabilityZones,
      natStrategy: config.network.natStrategy,
      logsKeyArn: keys.arns.logs,
      logRetentionDays: config.observability.logRetentionDays,
    },
    opts,
  );

  const eventBackbone = new EventBackbone(
    resourceName(env, "event-backbone"),
    {
      env,
      kafkaVersion: config.kafka.version,
      clusters: config.kafka.clusters,
      roles: config.kafka.roles,
      topicPartitions: config.kafka.topicPartitions,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      clientSecurityGroupIds: { shared: network.sharedSecurityGroupId },
      kafkaKeyArn: keys.arns.kafka,
      logsKeyArn: keys.arns.logs,
      logRetentionDays: config.observability.logRetentionDays,
    },
    opts,
  );

  const schemaRegistry = new SchemaRegistry(resourceName(env, "schema-registry"), { env, contracts }, opts);

  const dataStore = new DataStore(
    resourceName(env, "data-store"),
    { env, billing: config.dataStore.billing, dynamodbKeyArn: keys.arns.dynamodb, deletionProtection: env === "prod" },
    opts,
  );

  const secrets = new Secrets(resourceName(env, "secrets"), { env, secretsKeyArn: keys.arns.secrets }, opts);

  const kubernetes = buildKubernetesTiers(config, { provider, keys, network, eventBackbone, schemaRegistry, dataStore, secrets }, opts);

  const o = config.observability;
  const observability = new Observability(
    resourceName(env, "observability"),
    {
      env,
      region: config.region,
      logRetentionDays: o.logRetentionDays,
      logsKeyArn: keys.arns.logs,
      alerts: o.alerts,
      slo: o.slo,
      grafana: { enabled: o.grafanaEnabled, authentication: o.grafanaAuthentication, saml: o.grafanaSaml },
      cluster: {
        oidcProviderArn: kubernetes.cluster.oidcProviderArn,
        oidcIssuer: kubernetes.cluster.oidcIssuer,
        provider: kubernetes.cluster.provider,
        ready: kubernetes.cluster.ready,
      },
      kafkaClusterNames: eventBackbone.clusterNames,
    },
    opts,
  );

  const byRole = <T>(pick: (role: ClusterRole) => T) => Object.fromEntries(clusterRoles.map((r) => [r, pick(r)])) as Record<ClusterRole, T>;

  return {
    provider,
    keys,
    network,
    eventBackbone,
    schemaRegistry,
    dataStore,
    secrets,
    outputs: {
      env,
      region: config.region,
      vpcId: network.vpcId,
      publicSubnetIds: network.publicSubnetIds,
      privateSubnetIds: network.privateSubnetIds,
      securityGroupIds: {
        shared: network.sharedSecurityGroupId,
        events: eventBackbone.securityGroupId,
        vpcEndpoints: network.endpointSecurityGroupId,
      },
      kafkaBootstrapBrokers: byRole((r) => eventBackbone.bootstrapBrokers[r]),
      kafkaClusterArns: byRole((r) => eventBackbone.clusterArns[r]),
      kafkaClusterNames: byRole((r) => eventBackbone.clusterNames[r]),
      mskLogGroupName: eventBackbone.logGroupName,
      tableNames: dataStore.tableNames,
      tableArns: dataStore.tableArns,
      schemaRegistryName: schemaRegistry.registryName,
      schemaRegistryArn: schemaRegistry.registryArn,
      keyArns: keys.arns,
      secretArns: secrets.arns,
      ...kubernetes.outputs,
      prometheusWorkspaceId: observability.workspaceId,
      prometheusRemoteWriteUrl: observability.remoteWriteUrl,
      otelCollectorRoleArn: observability.collectorRoleArn,
      otlpEndpoint: observability.otlpEndpoint,
      alertTopicArn: observability.alertTopicArn,
      logGroupNames: observability.logGroupNames,
      grafanaUrl: observability.grafanaUrl ?? "",
      grafanaWorkspaceId: observability.grafanaWorkspaceId ?? "",
    },
  };
}
