// The admin API's environment (docs/architecture.md, "Service environment").

import { z } from "zod";
import { ConfigError, commonEnv, envVar, readEnv, vars } from "../shared/config";

export const adminEnv = {
  ...commonEnv,
  PORT: vars.port("admin"),
  KAFKA_INGRESS_BROKERS: vars.brokers,
  KAFKA_EGRESS_BROKERS: vars.brokers,
  KAFKA_TOPIC_PARTITIONS: vars.integer(1, 1000, 6),
  KAFKA_REPLICATION_FACTOR: vars.integer(1, 10, 3),
  SCHEMA_REGISTRY: vars.schemaRegistry,
  GLUE_REGISTRY_NAME: vars.optionalName("the Glue schema registry name (required when SCHEMA_REGISTRY=glue)"),
  ADMIN_TOKEN: envVar(z.string().min(16, "shorter than 16 characters").optional(), "the admin bearer token, at least 16 characters (or set ADMIN_TOKEN_SECRET_ID)"),
  ADMIN_TOKEN_SECRET_ID: vars.optionalName("the Secrets Manager secret id or ARN holding the admin token (or set ADMIN_TOKEN)"),
  DELIVERY_ALLOW_PRIVATE_TARGETS: vars.boolean(false),
} as const;

export type AdminEnv = ReturnType<typeof readAdminEnv>;

export function readAdminEnv(env: NodeJS.ProcessEnv = process.env) {
  const values = readEnv(adminEnv, env);
  if (!values.ADMIN_TOKEN && !values.ADMIN_TOKEN_SECRET_ID) {
    throw new ConfigError([{ variable: "ADMIN_TOKEN", message: "is required: set ADMIN_TOKEN (at least 16 characters) or ADMIN_TOKEN_SECRET_ID (a Secrets Manager secret holding it)" }]);
  }
  if (values.SCHEMA_REGISTRY === "glue" && !values.GLUE_REGISTRY_NAME) {
    throw new ConfigError([{ variable: "GLUE_REGISTRY_NAME", message: "is required when SCHEMA_REGISTRY=glue: the Glue schema registry name" }]);
  }
  return values;
}
