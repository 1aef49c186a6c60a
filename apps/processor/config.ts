// The processor's environment (docs/architecture.md, "Service environment").

import { commonEnv, readEnv, vars } from "../shared/config";

export const processorEnv = {
  ...commonEnv,
  PORT: vars.port("processor"),
  KAFKA_INGRESS_BROKERS: vars.brokers,
  KAFKA_EGRESS_BROKERS: vars.brokers,
  /** How stale the approved subscriptions of an event type may be (see subscriptions.ts). */
  SUBSCRIPTION_CACHE_TTL_MS: vars.integer(0, 600_000, 5000),
  /** How often the topic list is read for new ingress topics. */
  TOPIC_REFRESH_MS: vars.integer(100, 3_600_000, 10_000),
  /** Consumer group session timeout: how soon a dead member's partitions move. */
  KAFKA_SESSION_TIMEOUT_MS: vars.integer(6000, 300_000, 30_000),
} as const;

export type ProcessorEnv = ReturnType<typeof readProcessorEnv>;

export function readProcessorEnv(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(processorEnv, env);
}
