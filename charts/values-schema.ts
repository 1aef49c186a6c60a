// The values.schema.json of every service chart, generated from one description so the charts'
// values keep one shape. Each chart differs only in what is truly its own: its component
// label, its port (model/ports.ts), the environment variables its service reads
// (docs/architecture.md, "Service environment", and apps/<service>/config.ts) and, for the
// gateway, its ALB Ingress.
//
// Regenerate after a change: node --import tsx charts/values-schema.ts
// tests/charts/values-schema.test.ts fails when a committed schema differs from this.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { serviceAccess, serviceNames, type ServiceName } from "../model/access";
import { servicePorts } from "../model/ports";
import type { ClusterRole } from "../model/topics";

export interface ChartProfile {
  /** `app.kubernetes.io/component` */
  readonly component: string;
  /** Variables the service reads that are not derived from `.Values.config`, settable through `.Values.env`. */
  readonly envNames: readonly string[];
  /** Whether the chart has its own Ingress (an ALB). */
  readonly hasIngress: boolean;
}

const everyService = ["DYNAMODB_ENDPOINT"];

export const chartProfiles: Readonly<Record<ServiceName, ChartProfile>> = {
  gateway: {
    component: "ingestion",
    envNames: [...everyService, "SCHEMA_REGISTRY", "GLUE_REGISTRY_NAME", "MAX_BODY_BYTES", "IDEMPOTENCY_TTL_HOURS", "PRODUCER_LINGER_MS"],
    hasIngress: true,
  },
  admin: {
    component: "administration",
    envNames: [
      ...everyService,
      "SCHEMA_REGISTRY",
      "GLUE_REGISTRY_NAME",
      "ADMIN_TOKEN_SECRET_ID",
      "KAFKA_TOPIC_PARTITIONS",
      "KAFKA_REPLICATION_FACTOR",
      "DELIVERY_RETRY_SCHEDULE",
      "DELIVERY_ALLOW_PRIVATE_TARGETS",
    ],
    hasIngress: false,
  },
  processor: {
    component: "routing",
    envNames: [...everyService, "PRODUCER_LINGER_MS", "SUBSCRIPTION_CACHE_TTL_MS", "TOPIC_REFRESH_MS", "KAFKA_SESSION_TIMEOUT_MS"],
    hasIngress: false,
  },
  dispatcher: {
    component: "delivery",
    envNames: [
      ...everyService,
      "KAFKA_TOPIC_PARTITIONS",
      "KAFKA_REPLICATION_FACTOR",
      "DELIVERY_RETRY_SCHEDULE",
      "DELIVERY_TIMEOUT_MS",
      "DELIVERY_ALLOW_PRIVATE_TARGETS",
      "CIRCUIT_BREAKER_THRESHOLD",
      "CIRCUIT_BREAKER_HALF_OPEN_MS",
      "DELIVERY_CONCURRENCY",
      "SUBSCRIPTION_CACHE_TTL_MS",
      "TOPIC_REFRESH_MS",
      "KAFKA_SESSION_TIMEOUT_MS",
    ],
    hasIngress: false,
  },
};

/** The MSK cluster roles a service talks to, from model/access.ts: the brokers its chart requires. */
export function kafkaRolesOf(service: ServiceName): ClusterRole[] {
  return [...new Set(serviceAccess[service].kafka.map((k) => k.cluster))].sort();
}

type Schema = Record<string, unknown>;

function object(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: "object", additionalProperties: false, required, properties };
}

const str: Schema = { type: "string" };
const bool: Schema = { type: "boolean" };
const positiveInt: Schema = { type: "integer", minimum: 1 };
const cpuQuantity: Schema = { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?m?$" };
const memoryQuantity: Schema = { type: "string", pattern: "^[0-9]+(Ki|Mi|Gi)$" };
const brokers: Schema = {
  type: "string",
  description: "comma-separated host:port; empty when the service does not use the cluster",
  pattern: "^$|^[A-Za-z0-9.-]+:[0-9]+(,[A-Za-z0-9.-]+:[0-9]+)*$",
};
const cidr: Schema = { type: "string", pattern: "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$" };
const labelMap: Schema = { type: "object", additionalProperties: { type: "string" } };

const peer: Schema = {
  oneOf: [
    object({ cidr, except: { type: "array", items: cidr } }, ["cidr"]),
    object({ namespace: { type: "string", minLength: 1 }, podLabels: labelMap }, ["namespace"]),
  ],
};

const networkPolicy = object({
  allowDns: bool,
  ingress: {
    type: "array",
    description: "who may reach the HTTP port; nothing else may",
    items: object({ name: str, from: { type: "array", minItems: 1, items: peer } }),
  },
  egress: {
    type: "array",
    description: "where the pods may connect besides DNS; nothing else",
    items: object({
      name: str,
      to: { type: "array", minItems: 1, items: peer },
      ports: {
        type: "array",
        minItems: 1,
        items: object({ port: { type: "integer", minimum: 1, maximum: 65535 }, protocol: { enum: ["TCP", "UDP"] } }, ["port"]),
      },
    }),
  },
});

const ingress = object(
  {
    enabled: bool,
    className: { type: "string", minLength: 1 },
    scheme: { enum: ["internet-facing", "internal"] },
    host: { type: "string", description: "DNS name served; empty: any host (the ALB's own name)" },
    certificateArn: {
      type: "string",
      description: "ACM certificate; empty: the ALB listens on HTTPS only when a certificate is set",
      pattern: "^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$",
    },
    sslPolicy: { type: "string", minLength: 1 },
    groupName: { type: "string", description: "ALB ingress group; empty: a load balancer of its own" },
  },
  ["enabled", "className", "scheme", "host", "certificateArn", "sslPolicy"],
);

export function chartValuesSchema(service: ServiceName): Schema {
  const profile = chartProfiles[service];
  const properties: Record<string, Schema> = {
    global: { type: "object", description: "set by Helm for subcharts; unused" },
    "platform-lib": { type: "object", description: "set by Helm for the library dependency; unused" },
    nameOverride: str,
    fullnameOverride: str,
    component: { const: profile.component },
    image: object({
      repository: { type: "string", minLength: 1 },
      tag: { type: "string", description: "empty: the chart's appVersion" },
      pullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
    }),
    replicaCount: positiveInt,
    autoscaling: object({
      enabled: bool,
      minReplicas: positiveInt,
      maxReplicas: positiveInt,
      targetCpuPercent: { type: "integer", minimum: 1, maximum: 100 },
    }),
    resources: object({
      requests: object({ cpu: cpuQuantity, memory: memoryQuantity }),
      limits: object({ memory: memoryQuantity, cpu: cpuQuantity }, ["memory"]),
    }),
    // 0 where an environment runs one replica (a drain may take it), 1 or more where it runs several.
    podDisruptionBudget: object({ minAvailable: { type: "integer", minimum: 0 } }),
    serviceAccount: object({
      name: { type: "string", description: "empty: the release's fullname" },
      roleArn: {
        type: "string",
        description: "the IRSA role; required to render",
        pattern: "^$|^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
      },
    }),
    service: object({ port: { const: servicePorts[service].port } }),
    config: object({
      region: { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]$" },
      logLevel: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"] },
      kafka: object({ auth: { enum: ["none", "aws-iam"] }, ingressBrokers: brokers, egressBrokers: brokers }),
      tablePrefix: { type: "string", pattern: "^[A-Za-z0-9_.-]*$" },
      otelEndpoint: { type: "string", description: "OTLP endpoint; empty: no export" },
    }),
    env: {
      type: "object",
      description: `variables ${service} reads besides those derived from config`,
      propertyNames: { enum: [...profile.envNames] },
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    networkPolicy,
    securityContext: object({ runAsUser: positiveInt }),
    nodeSelector: labelMap,
    topologySpread: object({
      zone: { enum: ["ScheduleAnyway", "DoNotSchedule"] },
      host: { enum: ["ScheduleAnyway", "DoNotSchedule"] },
    }),
    terminationGracePeriodSeconds: { type: "integer", minimum: 10, maximum: 600 },
    preStopSleepSeconds: { type: "integer", minimum: 0, maximum: 120 },
    podAnnotations: labelMap,
  };
  if (profile.hasIngress) properties.ingress = ingress;
  const optional = new Set(["global", "platform-lib", "nameOverride", "fullnameOverride", "podAnnotations", "nodeSelector"]);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `${service} chart values`,
    ...object(
      properties,
      Object.keys(properties).filter((k) => !optional.has(k)),
    ),
  };
}

export function chartValuesSchemaText(service: ServiceName): string {
  return `${JSON.stringify(chartValuesSchema(service), null, 2)}\n`;
}

export const chartsDir = __dirname;

if (require.main === module) {
  for (const service of serviceNames) {
    const file = join(chartsDir, service, "values.schema.json");
    writeFileSync(file, chartValuesSchemaText(service));
    console.log(`wrote ${file}`);
  }
}
