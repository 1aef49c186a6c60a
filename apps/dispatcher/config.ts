// The dispatcher's environment (docs/architecture.md, "Service environment").

import { z } from "zod";
import { commonEnv, consumerEnv, envVar, readEnv, vars } from "../shared/config";
import { defaultRetrySchedule, parseRetrySchedule, retryScheduleVariable, type RetrySchedule } from "./schedule";

const retrySchedule = envVar<RetrySchedule>(
  z
    .string()
    .default(defaultRetrySchedule)
    .transform((text, ctx) => {
      try {
        return parseRetrySchedule(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message.replace(`${retryScheduleVariable}: `, "") });
        return z.NEVER;
      }
    }),
  `comma-separated delays, each a whole number with ms, s, m, h or d (default ${defaultRetrySchedule})`,
);

export const dispatcherEnv = {
  ...commonEnv,
  ...consumerEnv,
  PORT: vars.port("dispatcher"),
  KAFKA_EGRESS_BROKERS: vars.brokers,
  KAFKA_TOPIC_PARTITIONS: vars.integer(1, 1000, 6),
  KAFKA_REPLICATION_FACTOR: vars.integer(1, 10, 3),
  DELIVERY_RETRY_SCHEDULE: retrySchedule,
  DELIVERY_TIMEOUT_MS: vars.integer(100, 300_000, 15_000),
  DELIVERY_ALLOW_PRIVATE_TARGETS: vars.boolean(false),
  DELIVERY_CONCURRENCY: vars.integer(1, 1000, 16),
  CIRCUIT_BREAKER_THRESHOLD: vars.integer(1, 10_000, 10),
  CIRCUIT_BREAKER_HALF_OPEN_MS: vars.integer(100, 3_600_000, 30_000),
} as const;

export type DispatcherEnv = ReturnType<typeof readDispatcherEnv>;

export function readDispatcherEnv(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(dispatcherEnv, env);
}
