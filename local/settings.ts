// The knobs of the local platform, read once from the environment with the same validation
// (and the same error messages) as the services' own configuration.

import { resolve } from "node:path";
import { z } from "zod";
import { envVar, readEnv, vars } from "../apps/shared/config";
import { localEnginePorts, servicePorts } from "../model/ports";

const port = (fallback: number) => vars.integer(1, 65535, fallback);

const spec = {
  GATEWAY_PORT: port(servicePorts.gateway.port),
  ADMIN_PORT: port(servicePorts.admin.port),
  PROCESSOR_PORT: port(servicePorts.processor.port),
  DISPATCHER_PORT: port(servicePorts.dispatcher.port),
  KAFKA_PORT: port(localEnginePorts.kafka.port),
  DYNAMODB_PORT: port(localEnginePorts.dynamodb.port),
  RECEIVER_PORT: port(localEnginePorts.receiver.port),
  ADMIN_TOKEN: vars.optionalName("the admin API token; generated when unset"),
  DELIVERY_RETRY_SCHEDULE: envVar(z.string().min(1).default("1s,2s,4s"), "retry delays such as 1s,2s,4s (default 1s,2s,4s locally)"),
  DELIVERY_ALLOW_PRIVATE_TARGETS: vars.boolean(true),
  KAFKA_BROKERS: envVar(z.string().min(1).optional(), "host:port of an existing Kafka to use instead of starting one"),
  DYNAMODB_ENDPOINT: vars.url("an existing DynamoDB (Local) to use instead of starting one"),
  LOCAL_STATE_DIR: envVar(z.string().min(1).default(resolve(__dirname, "..", ".local")), "the folder for the local platform's state (default .local/)"),
  LOG_LEVEL: vars.logLevel,
} as const;

export type LocalSettings = ReturnType<typeof readLocalSettings>;

export function readLocalSettings(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(spec, env);
}
