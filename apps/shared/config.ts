// Service configuration from the environment, validated once at start with zod. Each variable
// carries a sentence saying what is allowed, so a bad value stops the process with a message
// that names the variable and the fix (docs/architecture.md, "Service environment").

import { z } from "zod";
import { servicePorts } from "../../model/ports";
import type { ServiceName } from "../../model/access";

export interface EnvVar<T> {
  readonly schema: z.ZodType<T>;
  /** What is allowed, for the error message: "a TCP port 0..65535". */
  readonly allowed: string;
}

export function envVar<T>(schema: z.ZodType<T>, allowed: string): EnvVar<T> {
  return { schema, allowed };
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export interface ConfigProblem {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid service configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads every variable of the spec; collects every fault before failing, so one run shows them all. */
export function readEnv<S extends EnvSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, variable] of Object.entries(spec)) {
    // An empty variable means "not set": shells and charts often export NAME="".
    const raw = env[name] === "" ? undefined : env[name];
    const result = variable.schema.safeParse(raw);
    if (result.success) {
      values[name] = result.data;
    } else if (raw === undefined) {
      problems.push({ variable: name, message: `is required: ${variable.allowed}` });
    } else {
      const reason = result.error.issues.map((i) => i.message).join("; ");
      problems.push({ variable: name, message: `"${raw}" is not allowed (${reason}); expected ${variable.allowed}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as EnvValues<S>;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, "not a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `below ${min}`).max(max, `above ${max}`));

const hostPort = /^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/;

/** Building blocks shared by the services' config files. */
export const vars = {
  integer: (min: number, max: number, fallback?: number) =>
    envVar(fallback === undefined ? integer(min, max) : integer(min, max).default(fallback), `a whole number ${min}..${max}${fallback === undefined ? "" : ` (default ${fallback})`}`),
  port: (service: ServiceName) => vars.integer(0, 65535, servicePorts[service].port),
  logLevel: envVar(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"), "one of fatal, error, warn, info, debug, trace, silent (default info)"),
  region: envVar(z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/, "not an AWS region name").default("us-east-1"), "an AWS region such as us-east-1 (default us-east-1)"),
  brokers: envVar(
    z
      .string()
      .transform((s) => s.split(",").map((b) => b.trim()).filter((b) => b.length > 0))
      .pipe(z.array(z.string().regex(hostPort, "each broker must be host:port")).min(1, "no broker listed")),
    "a comma-separated list of host:port, e.g. b-1.msk:9098,b-2.msk:9098",
  ),
  kafkaAuth: envVar(z.enum(["none", "aws-iam"]).default("none"), "none (plaintext, loopback) or aws-iam (TLS + SASL OAUTHBEARER through the MSK IAM signer); default none"),
  url: (what: string) => envVar(z.url("not an absolute URL").optional(), `${what}: an absolute URL such as http://127.0.0.1:8000, or unset`),
  tablePrefix: envVar(z.string().regex(/^[A-Za-z0-9_.-]*$/, "only letters, digits, _ . -").default(""), "letters, digits, _ . or - put before every table name (default empty)"),
  schemaRegistry: envVar(z.enum(["local", "glue"]).default("local"), "local or glue (default local)"),
  optionalName: (what: string) => envVar(z.string().min(1).optional(), what),
  boolean: (fallback: boolean) =>
    envVar(
      z.enum(["true", "false"]).default(fallback ? "true" : "false").transform((v) => v === "true"),
      `true or false (default ${fallback})`,
    ),
} as const;

/** Variables every service reads. */
export const commonEnv = {
  LISTEN_HOST: envVar(z.union([z.ipv4(), z.ipv6()]).default("0.0.0.0"), "the IP address to listen on, e.g. 127.0.0.1 (default 0.0.0.0: every interface, as in a pod)"),
  LOG_LEVEL: vars.logLevel,
  AWS_REGION: vars.region,
  KAFKA_AUTH: vars.kafkaAuth,
  DYNAMODB_ENDPOINT: vars.url("the DynamoDB endpoint (DynamoDB Local)"),
  /** Group-commit DynamoDB writes into transactions (apps/shared/item-writer.ts): on for DynamoDB Local, off in AWS. */
  DYNAMODB_GROUP_COMMIT: vars.boolean(false),
  TABLE_PREFIX: vars.tablePrefix,
  /** Set: spans are exported to <endpoint>/v1/traces (apps/shared/tracing.ts); unset: no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: envVar(
    z.url({ protocol: /^https?$/, error: "not an absolute http(s) URL" }).optional(),
    "the OTLP/HTTP endpoint of the OpenTelemetry collector, an absolute http(s) URL such as http://otel-collector.observability.svc.cluster.local:4318 (spans go to <endpoint>/v1/traces), or unset for no tracing",
  ),
  OTEL_SERVICE_NAME: vars.optionalName("the service.name of exported spans (default webhooks-<service>)"),
} as const;

/** Variables of the Kafka consumers (processor, dispatcher). */
export const consumerEnv = {
  /** How stale a subscription may be when it is read from the cache. */
  SUBSCRIPTION_CACHE_TTL_MS: vars.integer(0, 600_000, 5000),
  /** How often the topic list is read for new topics matching the consumer's pattern. */
  TOPIC_REFRESH_MS: vars.integer(100, 3_600_000, 10_000),
  /** Consumer group session timeout: how soon a dead member's partitions move. */
  KAFKA_SESSION_TIMEOUT_MS: vars.integer(6000, 300_000, 30_000),
} as const;

/** For main.ts: a configuration fault ends the process with exit code 1 and the message on stderr. */
export function configOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
