// The Helm values of a service chart, as the Services component passes them: sizing from the
// stack config, the environment the service reads, its NetworkPolicy rules and the gateway's
// ALB. Pure functions over plain or Pulumi input values, so the chart tests can check the
// charts' ci/<env>-values.yaml against what the component really sends.

import type * as pulumi from "@pulumi/pulumi";
import type { Env, ServiceSpec } from "../config";
import type { ServiceName } from "../model/access";
import { mskIamPort } from "../model/ports";
import { namespaces, serviceAccountName, serviceNamespaces } from "../model/kubernetes";
import type { ClusterRole } from "../model/topics";
import { kafkaRolesOf } from "../charts/values-schema";

/** Replica count, autoscaling, resources and disruption budget of a service in an environment. */
export function sizingValues(spec: ServiceSpec) {
  const floor = spec.autoscaling.enabled ? spec.autoscaling.minReplicas : spec.replicas;
  return {
    replicaCount: spec.replicas,
    autoscaling: { ...spec.autoscaling },
    resources: {
      requests: { cpu: spec.resources.cpuRequest, memory: spec.resources.memoryRequest },
      limits: { memory: spec.resources.memoryLimit },
    },
    // Several replicas: keep one through drains. One replica: a drain may take it.
    podDisruptionBudget: { minAvailable: floor >= 2 ? 1 : 0 },
  };
}

/** OTLP receivers of the in-cluster OpenTelemetry collector. */
const otlpPorts = [4317, 4318];

/** Deny by default; each service reaches DNS, MSK in the VPC, the AWS APIs on 443 and the collector, and is reached as listed. */
export function networkPolicyValues(service: ServiceName, vpcCidr: string) {
  const metrics = { name: "metrics", from: [{ namespace: namespaces.observability }] };
  const callers: Record<ServiceName, { name: string; from: Record<string, unknown>[] }[]> = {
    // The ALB (target type ip) reaches the pods from addresses in the VPC.
    gateway: [{ name: "alb", from: [{ cidr: vpcCidr }] }, metrics],
    // Internal only: its own namespace (operators port-forward).
    admin: [{ name: "same-namespace", from: [{ namespace: serviceNamespaces.admin }] }, metrics],
    processor: [metrics],
    dispatcher: [metrics],
  };
  // The dispatcher's 443 reaches partners on the internet too; never the instance metadata range.
  const https =
    service === "dispatcher"
      ? { name: "partners-and-aws-apis", to: [{ cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] }], ports: [{ port: 443 }] }
      : { name: "aws-apis", to: [{ cidr: "0.0.0.0/0" }], ports: [{ port: 443 }] };
  return {
    allowDns: true,
    ingress: callers[service],
    egress: [
      { name: "kafka", to: [{ cidr: vpcCidr }], ports: [{ port: mskIamPort }] },
      https,
      { name: "otel-collector", to: [{ namespace: namespaces.observability }], ports: otlpPorts.map((port) => ({ port })) },
    ],
  };
}

export interface ServiceEnvironmentInputs {
  glueRegistryName: pulumi.Input<string>;
  /** Secret id (name or ARN) of the admin token. */
  adminTokenSecretId: pulumi.Input<string>;
  topicPartitions: number;
  replicationFactor: number;
  idempotencyTtlHours: number;
}

/** The variables of `.Values.env` (those not derived from `.Values.config`), per service. */
export function environmentValues(service: ServiceName, inputs: ServiceEnvironmentInputs): Record<string, pulumi.Input<string>> {
  const topics = { KAFKA_TOPIC_PARTITIONS: String(inputs.topicPartitions), KAFKA_REPLICATION_FACTOR: String(inputs.replicationFactor) };
  const glue = { SCHEMA_REGISTRY: "glue", GLUE_REGISTRY_NAME: inputs.glueRegistryName };
  switch (service) {
    case "gateway":
      return { ...glue, IDEMPOTENCY_TTL_HOURS: String(inputs.idempotencyTtlHours) };
    case "admin":
      return { ...glue, ADMIN_TOKEN_SECRET_ID: inputs.adminTokenSecretId, ...topics };
    case "processor":
      return {};
    case "dispatcher":
      return topics;
  }
}

export interface ChartValuesInputs {
  env: Env;
  region: string;
  spec: ServiceSpec;
  vpcCidr: string;
  imageRepository: pulumi.Input<string>;
  imageTag: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
  brokers: Record<ClusterRole, pulumi.Input<string>>;
  environment: ServiceEnvironmentInputs;
  otelEndpoint: string;
  /** The gateway's ALB. */
  ingress: { scheme: "internet-facing" | "internal"; host: string; certificateArn: pulumi.Input<string> };
}

export const albSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The whole values of a service chart's release. */
export function chartValues(service: ServiceName, i: ChartValuesInputs): Record<string, unknown> {
  const roles = kafkaRolesOf(service);
  const values: Record<string, unknown> = {
    image: { repository: i.imageRepository, tag: i.imageTag, pullPolicy: "IfNotPresent" },
    ...sizingValues(i.spec),
    serviceAccount: { name: serviceAccountName(service), roleArn: i.roleArn },
    config: {
      region: i.region,
      logLevel: i.env === "dev" ? "debug" : "info",
      kafka: {
        auth: "aws-iam",
        ingressBrokers: roles.includes("ingress") ? i.brokers.ingress : "",
        egressBrokers: roles.includes("egress") ? i.brokers.egress : "",
      },
      tablePrefix: "",
      otelEndpoint: i.otelEndpoint,
    },
    env: environmentValues(service, i.environment),
    networkPolicy: networkPolicyValues(service, i.vpcCidr),
    // prod has nodes in every zone: hold pods to an even spread there.
    topologySpread: { zone: i.env === "prod" ? "DoNotSchedule" : "ScheduleAnyway", host: "ScheduleAnyway" },
  };
  if (service === "gateway") {
    values.ingress = {
      enabled: true,
      className: "alb",
      scheme: i.ingress.scheme,
      host: i.ingress.host,
      certificateArn: i.ingress.certificateArn,
      sslPolicy: albSslPolicy,
      groupName: "",
    };
  }
  return values;
}
