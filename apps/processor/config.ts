// The processor's environment (docs/architecture.md, "Service environment").

import { commonEnv, consumerEnv, readEnv, vars } from "../shared/config";

export const processorEnv = {
  ...commonEnv,
  ...consumerEnv,
  PORT: vars.port("processor"),
  KAFKA_INGRESS_BROKERS: vars.brokers,
  KAFKA_EGRESS_BROKERS: vars.brokers,
} as const;

export type ProcessorEnv = ReturnType<typeof readProcessorEnv>;

export function readProcessorEnv(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(processorEnv, env);
}
