// Kafka clients on kafkajs, one per cluster role. In AWS the brokers speak SASL/IAM over TLS:
// kafkajs authenticates with OAUTHBEARER and a token from the MSK IAM signer, which signs
// with the default AWS credential chain (IRSA in the cluster). Locally it is plaintext.

import { Kafka, Partitioners, logLevel as kafkaLogLevel, type KafkaConfig, type OauthbearerProviderResponse, type ProducerConfig } from "kafkajs";
import { generateAuthToken } from "aws-msk-iam-sasl-signer-js";
import type { Logger } from "pino";
import type { ClusterRole } from "../../model/topics";

export type KafkaAuth = "none" | "aws-iam";

/**
 * Every producer of the platform: idempotent with one request in flight (no duplicates, no
 * reordering on retry; acks=all is set per send), no topic auto-creation, and murmur2 on the
 * key as the Java client does, so a key lands on the same partition whoever writes it.
 */
export const durableProducerConfig: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  auth: KafkaAuth;
  region: string;
  logger?: Logger;
  /** Bound on one connection attempt; short so a dead broker turns into an error quickly. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The token provider kafkajs calls whenever it (re)authenticates: a fresh signed token each time. */
export function mskIamTokenProvider(region: string): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const { token } = await generateAuthToken({ region });
    return { value: token };
  };
}

export function kafkaConfig(options: KafkaClientOptions): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10000,
    logLevel: kafkaLogLevel.WARN,
  };
  if (options.logger) config.logCreator = pinoLogCreator(options.logger);
  if (options.auth === "aws-iam") {
    config.ssl = true;
    config.sasl = { mechanism: "oauthbearer", oauthBearerProvider: mskIamTokenProvider(options.region) };
  }
  return config;
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka(kafkaConfig(options));
}

/** One client per cluster role the service uses; the roles may point at the same brokers. */
export function createKafkaClients<R extends ClusterRole>(
  brokers: Record<R, string[]>,
  common: Omit<KafkaClientOptions, "brokers" | "clientId"> & { service: string },
): Record<R, Kafka> {
  const clients = {} as Record<R, Kafka>;
  for (const role of Object.keys(brokers) as R[]) {
    clients[role] = createKafka({ ...common, clientId: `webhooks-${common.service}-${role}`, brokers: brokers[role] });
  }
  return clients;
}

function pinoLogCreator(logger: Logger): KafkaConfig["logCreator"] {
  const child = logger.child({ component: "kafkajs" });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (level <= kafkaLogLevel.ERROR) child.error(extra, message);
      else if (level === kafkaLogLevel.WARN) child.warn(extra, message);
      else if (level === kafkaLogLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
    };
}
