// The gateway's environment (docs/architecture.md, "Service environment").

import { commonEnv, envVar, readEnv, vars } from "../shared/config";
import { idempotencyTtlHours } from "../../model/tables";
import { z } from "zod";

export const gatewayEnv = {
  ...commonEnv,
  PORT: vars.port("gateway"),
  KAFKA_INGRESS_BROKERS: vars.brokers,
  SCHEMA_REGISTRY: vars.schemaRegistry,
  GLUE_REGISTRY_NAME: vars.optionalName("the Glue schema registry name (required when SCHEMA_REGISTRY=glue)"),
  MAX_BODY_BYTES: vars.integer(1024, 16 * 1024 * 1024, 262_144),
  IDEMPOTENCY_TTL_HOURS: vars.integer(idempotencyTtlHours.min, idempotencyTtlHours.max, idempotencyTtlHours.default),
  PRODUCER_LINGER_MS: vars.integer(0, 1000, 5),
} as const;

export type GatewayEnv = ReturnType<typeof readGatewayEnv>;

export function readGatewayEnv(env: NodeJS.ProcessEnv = process.env) {
  const values = readEnv(gatewayEnv, env);
  if (values.SCHEMA_REGISTRY === "glue" && !values.GLUE_REGISTRY_NAME) {
    // Reported like any other variable fault.
    readEnv({ GLUE_REGISTRY_NAME: envVar(z.string().min(1), "the Glue schema registry name, required when SCHEMA_REGISTRY=glue") }, env);
  }
  return values;
}
