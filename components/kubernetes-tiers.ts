// The cluster and services tiers, composed onto the tiers buildPlatform builds first (network,
// keys, event backbone, schema registry, data store, secrets), with the stack outputs
// operators need: the cluster, its kubeconfig (secret), the image repositories, the IRSA roles
// and the gateway's URL.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { PlatformConfig } from "../config";
import { namespaces } from "../model/kubernetes";
import { Cluster } from "./cluster";
import { resourceName } from "./naming";
import { otlpEndpoint } from "./observability";
import type { Platform } from "./platform";
import { Services } from "./services";

/** The tiers the Kubernetes tiers consume. */
export type BaseTiers = Pick<Platform, "provider" | "keys" | "network" | "eventBackbone" | "schemaRegistry" | "dataStore" | "secrets">;

export interface KubernetesTiers {
  cluster: Cluster;
  services: Services;
  outputs: Record<string, pulumi.Input<unknown>>;
}

export function buildKubernetesTiers(config: PlatformConfig, base: BaseTiers, opts: pulumi.ComponentResourceOptions = {}): KubernetesTiers {
  const { env } = config;
  const accountId = aws.getCallerIdentityOutput({}, { provider: base.provider }).accountId;

  const cluster = new Cluster(
    resourceName(env, "cluster"),
    {
      env,
      region: config.region,
      accountId,
      kubernetesVersion: config.cluster.kubernetesVersion,
      adminRoleArns: config.cluster.adminRoleArns,
      endpointPublicAccess: config.cluster.endpointPublicAccess,
      nodeGroups: config.cluster.nodeGroups,
      vpcId: base.network.vpcId,
      privateSubnetIds: base.network.privateSubnetIds,
      publicSubnetIds: base.network.publicSubnetIds,
      eksKeyArn: base.keys.arns.eks,
      ingress: config.ingress,
      kafka: base.eventBackbone,
    },
    opts,
  );

  const services = new Services(
    resourceName(env, "services"),
    {
      env,
      region: config.region,
      services: config.services,
      keepImages: config.images.keepLastN,
      vpcCidr: config.network.vpcCidr,
      topicPartitions: config.kafka.topicPartitions,
      idempotencyTtlHours: config.dataStore.idempotencyTtlHours,
      cluster: { oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer, provider: cluster.provider, ready: cluster.ready },
      kafka: { bootstrapBrokers: base.eventBackbone.bootstrapBrokers, clusterArns: base.eventBackbone.clusterArns },
      tableArns: base.dataStore.tableArns,
      schemaRegistry: { name: base.schemaRegistry.registryName, arn: base.schemaRegistry.registryArn },
      secretArns: base.secrets.arns,
      secretsKeyArn: base.keys.arns.secrets,
      ingress: { scheme: config.ingress.scheme, domain: config.ingress.domain, certificateArn: cluster.certificateArn },
      // The observability tier's collector (always deployed); the charts set OTEL_EXPORTER_OTLP_ENDPOINT from it.
      otelEndpoint: otlpEndpoint,
    },
    opts,
  );

  return {
    cluster,
    services,
    outputs: {
      clusterName: cluster.clusterName,
      kubeconfig: cluster.kubeconfig,
      oidcProviderArn: cluster.oidcProviderArn,
      namespaces,
      loadBalancerControllerRoleArn: cluster.loadBalancerControllerRoleArn,
      imageTag: services.imageTag,
      repositoryUrls: services.repositoryUrls,
      serviceRoleArns: services.roleArns,
      // Without a domain the ALB's own DNS name serves the gateway: docs/runbook.md shows how to read it.
      gatewayUrl: services.gatewayUrl ?? "",
    },
  };
}
