// The typed stack configuration: every `platform:*` key, validated, with per-environment
// defaults. Only index.ts reads Pulumi config; it hands this module a ConfigSource, so tests
// feed the same function from a parsed Pulumi.<env>.yaml. Components receive the result and
// never read config or environment variables themselves.

import { z } from "zod";
import { clusterRoles, defaultPartitions, isNameSegment, type ClusterRole } from "./model/topics";
import { idempotencyTtlHours } from "./model/tables";
import { serviceNames, type ServiceName } from "./model/access";

export const envs = ["dev", "staging", "prod"] as const;
export type Env = (typeof envs)[number];

/** Value of `platform:<key>` as written in the stack file (objects parsed), or undefined when unset. */
export type ConfigSource = (key: string) => unknown;

/** Instance types of MSK provisioned (standard) brokers. */
export const mskBrokerInstanceTypes = [
  "kafka.t3.small",
  ...["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"].map((s) => `kafka.m5.${s}`),
  ...["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"].map((s) => `kafka.m7g.${s}`),
] as const;

/** The values CloudWatch Logs accepts for a log group's retention, in days. */
export const cloudWatchRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const natStrategies = ["single", "perAz"] as const;
export type NatStrategy = (typeof natStrategies)[number];

export const billingModes = ["onDemand", "provisioned"] as const;
export const ingressSchemes = ["internet-facing", "internal"] as const;

/** MSK places brokers evenly over two or three availability zones. */
const availabilityZoneCounts = [2, 3] as const;
const maxEbsVolumeGiB = 16384;

// ---------------------------------------------------------------------------------------------
// Schema: shapes and ranges. Messages say what is allowed; the key and the value are added by
// the error formatter below.

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `must be one of: ${values.join(", ")}` });

const int = (min: number, max: number) =>
  z
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

const decimal = (min: number, max: number, what = "a number") =>
  z
    .number({ error: `must be ${what} from ${min} to ${max}` })
    .min(min, { error: `must be ${what} from ${min} to ${max}` })
    .max(max, { error: `must be ${what} from ${min} to ${max}` });

const nonEmpty = z.string({ error: "must be a non-empty string" }).trim().min(1, { error: "must be a non-empty string" });

const nameSegment = z.string({ error: "must be a string" }).refine(isNameSegment, {
  error: "must be lower case letters, digits, _ or - (starting with a letter or digit, at most 63 characters)",
});

const vpcCidr = z
  .string({ error: "must be an IPv4 CIDR string" })
  .refine(isSixteenNetwork, { error: "must be an IPv4 /16 network address, e.g. 10.20.0.0/16" });

const brokerSpec = z.strictObject({
  instanceType: oneOf(mskBrokerInstanceTypes as unknown as [string, ...string[]]),
  brokerCount: int(1, 30),
  volumeSizeGiB: int(1, maxEbsVolumeGiB),
  maxVolumeSizeGiB: int(1, maxEbsVolumeGiB),
});

const kafkaVersion = z
  .string({ error: "must be an MSK Kafka version string" })
  .regex(/^[1-9]\.[0-9]+\.([0-9]+|x)(\.kraft)?$/, { error: "must be an MSK Kafka version such as 3.7.x.kraft, 3.7.x or 3.6.0" });

const capacityRange = z.strictObject({ min: int(1, 40000), max: int(1, 40000) });

const billing = z.discriminatedUnion(
  "mode",
  [
    z.strictObject({ mode: z.literal("onDemand") }),
    z.strictObject({
      mode: z.literal("provisioned"),
      readCapacity: capacityRange,
      writeCapacity: capacityRange,
      targetUtilizationPercent: int(20, 90),
    }),
  ],
  { error: `mode must be one of: ${billingModes.join(", ")}` },
);

const iamRoleArn = z
  .string({ error: "must be an IAM role ARN" })
  .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\/-]{1,512}$/, {
    error: "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>",
  });

/** Graviton (arm64) EC2 instance types, to match the arm64 images: m7g.large, c7g.xlarge, r8g.2xlarge, ... */
const gravitonInstanceType = z
  .string({ error: "must be an EC2 instance type" })
  .regex(/^[a-z]+[0-9]+g[a-z]*\.(medium|large|[0-9]*xlarge|metal)$/, {
    error: "must be a Graviton (arm64) instance type such as m7g.large or c7g.xlarge",
  });

const nodeGroup = z.strictObject({
  name: nameSegment,
  instanceTypes: z.array(gravitonInstanceType).min(1, { error: "must list at least one instance type" }),
  minSize: int(0, 100),
  desiredSize: int(0, 100),
  maxSize: int(1, 100),
  diskSizeGiB: int(20, 16384),
});

const cluster = z.strictObject({
  kubernetesVersion: z
    .string({ error: "must be a Kubernetes minor version string" })
    .regex(/^1\.[0-9]{2}$/, { error: 'must be a Kubernetes minor version such as "1.31"' }),
  adminRoleArns: z.array(iamRoleArn),
  endpointPublicAccess: z.boolean({ error: "must be true or false" }),
  nodeGroups: z.array(nodeGroup).min(1, { error: "must declare at least one node group" }),
});

const hostname = z
  .string({ error: "must be a DNS name" })
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "must be a lower-case DNS name such as webhooks.example.com" });

const ingress = z.strictObject({
  scheme: oneOf(ingressSchemes),
  domain: hostname.optional(),
  hostedZoneId: z
    .string({ error: "must be a Route53 hosted zone id" })
    .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
    .optional(),
});

const cpuQuantity = z
  .string({ error: "must be a Kubernetes CPU quantity string" })
  .regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, { error: 'must be a Kubernetes CPU quantity such as "250m" or "1"' });
const memoryQuantity = z
  .string({ error: "must be a Kubernetes memory quantity string" })
  .regex(/^[0-9]+(Mi|Gi)$/, { error: 'must be a Kubernetes memory quantity in Mi or Gi such as "256Mi"' });

const serviceSpec = z.strictObject({
  replicas: int(1, 100),
  autoscaling: z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }),
    minReplicas: int(1, 100),
    maxReplicas: int(1, 100),
    targetCpuPercent: int(10, 95),
  }),
  resources: z.strictObject({ cpuRequest: cpuQuantity, memoryRequest: memoryQuantity, memoryLimit: memoryQuantity }),
});

/** How people sign in to Amazon Managed Grafana: IAM Identity Center, or the organisation's SAML IdP. */
export const grafanaAuthenticationProviders = ["AWS_SSO", "SAML"] as const;
export type GrafanaAuthentication = (typeof grafanaAuthenticationProviders)[number];

const grafanaSaml = z.strictObject({
  idpMetadataUrl: z
    .string({ error: "must be an https URL" })
    .regex(/^https:\/\/[^\s/]+\/\S*$/, { error: "must be the https URL of the IdP's SAML metadata" }),
  roleAssertion: nonEmpty,
  adminRoleValues: z.array(nonEmpty).min(1, { error: "must list at least one role value" }),
  editorRoleValues: z.array(nonEmpty),
});

/** Alert thresholds (AMP alerting rules and CloudWatch alarms); docs/runbook.md "Alerts" says what each means. */
const alerts = z.strictObject({
  retriesPerMinute: decimal(0.01, 100000),
  dlqRecordsPerHour: int(1, 100000),
  partnerErrorPercent: decimal(0.1, 100, "a percentage"),
  consumerLagRecords: int(1, 100000000),
  podRestartsPerHour: int(1, 1000),
});

/** Service level objectives the SLO alerts compare the recorded ratios and latency with. */
const slo = z.strictObject({
  validationSuccessPercent: decimal(50, 100, "a percentage"),
  deliverySuccessPercent: decimal(50, 100, "a percentage"),
  endToEndP95Seconds: decimal(0.1, 86400, "a number of seconds"),
});

const configSchema = z.strictObject({
  env: oneOf(envs),
  region: z.string({ error: "must be an AWS region" }).regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { error: "must be an AWS region such as us-east-1" }),
  tags: z.strictObject({ owner: nonEmpty, costCenter: nonEmpty }),
  network: z.strictObject({
    vpcCidr,
    availabilityZones: z.union(availabilityZoneCounts.map((n) => z.literal(n)), {
      error: `must be one of: ${availabilityZoneCounts.join(", ")}`,
    }),
    natStrategy: oneOf(natStrategies),
  }),
  kafka: z.strictObject({
    version: kafkaVersion,
    topicPartitions: int(1, 1000),
    clusters: z.record(nameSegment, brokerSpec),
    roles: z.strictObject({ ingress: nameSegment, egress: nameSegment }),
  }),
  dataStore: z.strictObject({ billing, idempotencyTtlHours: int(idempotencyTtlHours.min, idempotencyTtlHours.max) }),
  observability: z.strictObject({
    logRetentionDays: z.number({ error: "must be a number of days" }).refine((n) => (cloudWatchRetentionDays as readonly number[]).includes(n), {
      error: `must be a retention CloudWatch Logs accepts: ${cloudWatchRetentionDays.join(", ")}`,
    }),
    grafanaEnabled: z.boolean({ error: "must be true or false" }),
    grafanaAuthentication: oneOf(grafanaAuthenticationProviders),
    grafanaSaml: grafanaSaml.optional(),
    alerts,
    slo,
  }),
  cluster,
  ingress,
  services: z.strictObject(Object.fromEntries(serviceNames.map((s) => [s, serviceSpec])) as Record<ServiceName, typeof serviceSpec>),
  images: z.strictObject({ keepLastN: int(1, 1000) }),
});

type ParsedConfig = z.infer<typeof configSchema>;

export type BrokerSpec = z.infer<typeof brokerSpec>;
export type NodeGroupSpec = z.infer<typeof nodeGroup>;
export type ServiceSpec = z.infer<typeof serviceSpec>;
export type DataStoreBilling = z.infer<typeof billing>;
export type AlertThresholds = z.infer<typeof alerts>;
export type SloObjectives = z.infer<typeof slo>;
export type GrafanaSamlSettings = z.infer<typeof grafanaSaml>;

/** The validated, defaulted stack configuration the components are built from. */
export type PlatformConfig = ParsedConfig & { kafka: { roles: Record<ClusterRole, string> } };

/** The top-level keys, each read as `platform:<key>`. */
export const configKeys = Object.keys(configSchema.shape) as (keyof ParsedConfig)[];

// ---------------------------------------------------------------------------------------------
// Per-environment defaults. The stack files set every value explicitly; these apply to keys
// (or fields of a key) a stack leaves out.

type DeepPartial<T> = T extends readonly (infer _U)[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

const serviceDefaults = (replicas: number, maxReplicas: number): ServiceSpec => ({
  replicas,
  autoscaling: { enabled: maxReplicas > replicas, minReplicas: replicas, maxReplicas, targetCpuPercent: 70 },
  resources: { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "512Mi" },
});

const sharedDefaults = {
  region: "us-east-1",
  kafka: { version: "3.7.x.kraft", topicPartitions: defaultPartitions },
  dataStore: { billing: { mode: "onDemand" }, idempotencyTtlHours: idempotencyTtlHours.default },
  observability: {
    logRetentionDays: 30,
    grafanaAuthentication: "AWS_SSO",
    alerts: { retriesPerMinute: 60, dlqRecordsPerHour: 1, partnerErrorPercent: 5, consumerLagRecords: 10000, podRestartsPerHour: 3 },
    slo: { validationSuccessPercent: 99, deliverySuccessPercent: 99.5, endToEndP95Seconds: 10 },
  },
  ingress: { scheme: "internal" },
  images: { keepLastN: 20 },
} as const;

export const envDefaults: Record<Env, DeepPartial<ParsedConfig>> = {
  dev: {
    ...sharedDefaults,
    network: { vpcCidr: "10.10.0.0/16", availabilityZones: 3, natStrategy: "single" },
    kafka: {
      ...sharedDefaults.kafka,
      clusters: { events: { instanceType: "kafka.m7g.large", brokerCount: 3, volumeSizeGiB: 100, maxVolumeSizeGiB: 500 } },
      roles: { ingress: "events", egress: "events" },
    },
    observability: { ...sharedDefaults.observability, grafanaEnabled: false },
    cluster: {
      kubernetesVersion: "1.31",
      adminRoleArns: [],
      endpointPublicAccess: true,
      nodeGroups: [{ name: "general", instanceTypes: ["m7g.large"], minSize: 1, desiredSize: 2, maxSize: 3, diskSizeGiB: 50 }],
    },
    services: Object.fromEntries(serviceNames.map((s) => [s, serviceDefaults(1, 2)])),
  },
  staging: {
    ...sharedDefaults,
    network: { vpcCidr: "10.20.0.0/16", availabilityZones: 3, natStrategy: "perAz" },
    kafka: {
      ...sharedDefaults.kafka,
      clusters: {
        ingress: { instanceType: "kafka.m7g.xlarge", brokerCount: 3, volumeSizeGiB: 500, maxVolumeSizeGiB: 2000 },
        egress: { instanceType: "kafka.m7g.xlarge", brokerCount: 3, volumeSizeGiB: 500, maxVolumeSizeGiB: 2000 },
      },
      roles: { ingress: "ingress", egress: "egress" },
    },
    observability: { ...sharedDefaults.observability, grafanaEnabled: true },
    cluster: {
      kubernetesVersion: "1.31",
      adminRoleArns: [],
      endpointPublicAccess: true,
      nodeGroups: [{ name: "general", instanceTypes: ["m7g.large"], minSize: 3, desiredSize: 3, maxSize: 6, diskSizeGiB: 50 }],
    },
    services: Object.fromEntries(serviceNames.map((s) => [s, serviceDefaults(2, 4)])),
  },
  prod: {
    ...sharedDefaults,
    network: { vpcCidr: "10.30.0.0/16", availabilityZones: 3, natStrategy: "perAz" },
    kafka: {
      ...sharedDefaults.kafka,
      clusters: {
        ingress: { instanceType: "kafka.m7g.xlarge", brokerCount: 6, volumeSizeGiB: 1000, maxVolumeSizeGiB: 4000 },
        egress: { instanceType: "kafka.m7g.xlarge", brokerCount: 6, volumeSizeGiB: 1000, maxVolumeSizeGiB: 4000 },
      },
      roles: { ingress: "ingress", egress: "egress" },
    },
    observability: { ...sharedDefaults.observability, grafanaEnabled: true },
    cluster: {
      kubernetesVersion: "1.31",
      adminRoleArns: [],
      endpointPublicAccess: false,
      nodeGroups: [{ name: "general", instanceTypes: ["m7g.xlarge"], minSize: 3, desiredSize: 3, maxSize: 9, diskSizeGiB: 100 }],
    },
    services: Object.fromEntries(serviceNames.map((s) => [s, serviceDefaults(3, 10)])),
  },
};

// ---------------------------------------------------------------------------------------------
// Errors

export interface ConfigProblem {
  /** `platform:<key>.<field>...`, as an operator finds it in the stack file. */
  key: string;
  value: unknown;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid stack configuration:\n${problems
        .map((p) => `  ${p.key}${p.value === undefined ? " (not set)" : ` = ${JSON.stringify(p.value)}`}: ${p.message}`)
        .join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

function keyOf(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  return `platform:${String(head ?? "")}${rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Loading

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Maps keyed by names the stack chooses: a stack that sets one replaces the default map whole. */
const replacedWhole = new Set(["kafka.clusters"]);

/** Objects merge field by field; anything else (arrays included) replaces the default. */
function withDefaults(defaults: unknown, value: unknown, path: string): unknown {
  if (value === undefined) return defaults;
  if (isPlainObject(defaults) && isPlainObject(value) && !replacedWhole.has(path)) {
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(value)) out[k] = withDefaults(defaults[k], v, `${path}.${k}`);
    return out;
  }
  return value;
}

/**
 * Reads every `platform:*` key through `source`, applies the defaults of the stack's
 * environment, validates, and returns the typed configuration. Throws a ConfigError listing
 * every fault with its key, its value and what is allowed.
 */
export function loadPlatformConfig(source: ConfigSource): PlatformConfig {
  const env = source("env");
  if (!envs.includes(env as Env)) {
    throw new ConfigError([{ key: "platform:env", value: env, message: `must be one of: ${envs.join(", ")}` }]);
  }
  const defaults = envDefaults[env as Env];
  const raw: Record<string, unknown> = {};
  for (const key of configKeys) raw[key] = withDefaults(defaults[key], source(key), key);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
        const message = issue.code === "unrecognized_keys" ? `unknown key; allowed: ${allowedKeysAt(issue.path)}` : issue.message;
        return { key: keyOf(path), value: valueAt(raw, path), message };
      }),
    );
  }
  const config = parsed.data as PlatformConfig;
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function allowedKeysAt(path: readonly PropertyKey[]): string {
  let schema: z.ZodType = configSchema;
  for (const p of path) {
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(p)]!;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).join(", ") : "none";
}

// ---------------------------------------------------------------------------------------------
// Rules that involve more than one field.

function crossFieldProblems(c: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: PropertyKey[], value: unknown, message: string) => problems.push({ key: keyOf(path), value, message });

  const azs = c.network.availabilityZones;
  const clusterNames = Object.keys(c.kafka.clusters);
  if (clusterNames.length === 0) add(["kafka", "clusters"], c.kafka.clusters, "must declare at least one MSK cluster");
  for (const [name, spec] of Object.entries(c.kafka.clusters)) {
    if (spec.brokerCount % azs !== 0) {
      add(["kafka", "clusters", name, "brokerCount"], spec.brokerCount,
        `must be a multiple of the availability zone count (${azs}): ${[1, 2, 3].map((n) => n * azs).join(", ")}, ...`);
    }
    if (spec.maxVolumeSizeGiB < spec.volumeSizeGiB) {
      add(["kafka", "clusters", name, "maxVolumeSizeGiB"], spec.maxVolumeSizeGiB,
        `must be at least volumeSizeGiB (${spec.volumeSizeGiB}): storage autoscaling only grows volumes`);
    }
  }
  for (const role of clusterRoles) {
    const target = c.kafka.roles[role];
    if (!clusterNames.includes(target)) add(["kafka", "roles", role], target, `must name a cluster in platform:kafka.clusters: ${clusterNames.join(", ")}`);
  }
  for (const name of clusterNames) {
    if (!clusterRoles.some((r) => c.kafka.roles[r] === name)) {
      add(["kafka", "clusters", name], c.kafka.clusters[name], `is not used by any role; map ${clusterRoles.join(" or ")} to it in platform:kafka.roles, or remove it`);
    }
  }

  if (c.dataStore.billing.mode === "provisioned") {
    for (const dim of ["readCapacity", "writeCapacity"] as const) {
      const r = c.dataStore.billing[dim];
      if (r.min > r.max) add(["dataStore", "billing", dim, "min"], r.min, `must not exceed max (${r.max})`);
    }
  }

  const ngNames = new Set<string>();
  c.cluster.nodeGroups.forEach((g, i) => {
    if (ngNames.has(g.name)) add(["cluster", "nodeGroups", i, "name"], g.name, "must be unique among the node groups");
    ngNames.add(g.name);
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
      add(["cluster", "nodeGroups", i], { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize }, "must satisfy minSize <= desiredSize <= maxSize");
    }
  });
  if (c.env === "prod") {
    const minNodes = c.cluster.nodeGroups.reduce((n, g) => n + g.minSize, 0);
    if (minNodes < azs) add(["cluster", "nodeGroups"], `minSize total ${minNodes}`, `must keep at least ${azs} nodes (one per availability zone) in prod`);
    if (c.cluster.endpointPublicAccess) add(["cluster", "endpointPublicAccess"], true, "must be false in prod: the API endpoint is private there");
  }

  const o = c.observability;
  if (o.grafanaEnabled && o.grafanaAuthentication === "SAML" && o.grafanaSaml === undefined) {
    add(["observability", "grafanaSaml"], undefined, "must be set (idpMetadataUrl, roleAssertion, adminRoleValues, editorRoleValues) when grafanaAuthentication is SAML");
  }
  if (o.grafanaSaml !== undefined && o.grafanaAuthentication !== "SAML") {
    add(["observability", "grafanaSaml"], o.grafanaSaml, `is only used with grafanaAuthentication SAML (it is ${o.grafanaAuthentication}); remove it`);
  }

  if ((c.ingress.domain === undefined) !== (c.ingress.hostedZoneId === undefined)) {
    add(["ingress"], c.ingress, "domain and hostedZoneId must be set together (HTTPS with a DNS-validated certificate) or both left out");
  }
  // A public ALB listens on HTTPS 443 only: producer keys never cross the internet in clear text.
  if (c.ingress.scheme === "internet-facing" && c.ingress.domain === undefined) {
    add(["ingress", "scheme"], c.ingress.scheme, "internet-facing needs domain and hostedZoneId (HTTPS with a DNS-validated certificate); without them use internal");
  }

  for (const name of serviceNames) {
    const s = c.services[name];
    const a = s.autoscaling;
    if (a.minReplicas > a.maxReplicas) add(["services", name, "autoscaling", "minReplicas"], a.minReplicas, `must not exceed maxReplicas (${a.maxReplicas})`);
    if (a.enabled && (s.replicas < a.minReplicas || s.replicas > a.maxReplicas)) {
      add(["services", name, "replicas"], s.replicas, `must lie within autoscaling minReplicas..maxReplicas (${a.minReplicas}..${a.maxReplicas})`);
    }
    if (mebibytes(s.resources.memoryRequest) > mebibytes(s.resources.memoryLimit)) {
      add(["services", name, "resources", "memoryRequest"], s.resources.memoryRequest, `must not exceed memoryLimit (${s.resources.memoryLimit})`);
    }
    if (c.env === "prod") {
      if (s.replicas < 2) add(["services", name, "replicas"], s.replicas, "must be at least 2 in prod");
      if (a.enabled && a.minReplicas < 2) add(["services", name, "autoscaling", "minReplicas"], a.minReplicas, "must be at least 2 in prod");
    }
  }
  return problems;
}

function mebibytes(quantity: string): number {
  const n = Number.parseInt(quantity, 10);
  return quantity.endsWith("Gi") ? n * 1024 : n;
}

/** True for `a.b.0.0/16` with every octet in range. */
function isSixteenNetwork(cidr: string): boolean {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/16$/.exec(cidr);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && octets[2] === 0 && octets[3] === 0;
}
