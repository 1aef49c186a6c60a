// The gateway assembled from its collaborators (DynamoDB, a Kafka producer, a schema registry):
// main.ts passes the production adapters, the integration tests the same adapters on local engines.

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Tracer } from "@opentelemetry/api";
import type { FastifyInstance } from "fastify";
import type { Admin, Producer, ProducerConfig } from "kafkajs";
import { durableProducerConfig } from "../shared/kafka";
import type { Logger } from "pino";
import { tableName } from "../../model/tables";
import { createMetrics, writeRequestMetrics } from "../shared/metrics";
import { createReadiness, dynamoCheck, kafkaCheck } from "../shared/readiness";
import type { SchemaRegistry } from "../shared/registry/port";
import { buildGatewayApp } from "./app";
import { IngestLedger } from "./idempotency";
import { IngestService } from "./ingest";
import { ProducerKeys } from "./producer-keys";
import { BatchingPublisher } from "./publisher";
import { SchemaValidators } from "./validators";
import { createItemWriter } from "../shared/item-writer";

export interface GatewayServiceOptions {
  doc: DynamoDBDocumentClient;
  tablePrefix: string;
  /** Makes the gateway's Kafka producer (gatewayProducerConfig); called again after a failed send. */
  createProducer: () => Producer;
  /** For /readyz. */
  kafkaAdmin: Admin;
  registry: SchemaRegistry;
  logger: Logger;
  lingerMs: number;
  maxBodyBytes: number;
  idempotencyTtlHours: number;
  /** DYNAMODB_GROUP_COMMIT: the ledger's writes group-committed into transactions (DynamoDB Local). Default false. */
  groupCommit?: boolean;
  /** Longest wait for the broker's acknowledgement before answering 503. Default 8 s. */
  publishTimeoutMs?: number;
  /** How long the latest ACTIVE schema version of a type is trusted. Default 5 s. */
  schemaLookupTtlMs?: number;
  /** Set when spans are exported: one `ingest` span per request. */
  tracer?: Tracer;
}

export interface GatewayService {
  app: FastifyInstance;
  publisher: BatchingPublisher;
  ingest: IngestService;
}

/** The platform's durable producer, with bounded retries: a dead broker turns into a 503 rather than a request that never ends. */
export const gatewayProducerConfig: ProducerConfig = {
  ...durableProducerConfig,
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
};

export function createGatewayService(options: GatewayServiceOptions): GatewayService {
  const ledgerTable = tableName("idempotencyLedger", options.tablePrefix);
  const metrics = createMetrics("gateway");
  const writes = createItemWriter(options.doc, { groupCommit: options.groupCommit ?? false, observe: writeRequestMetrics(metrics.registry) });
  const publisher = new BatchingPublisher(options.createProducer, { lingerMs: options.lingerMs });
  const ingest = new IngestService({
    validators: new SchemaValidators(options.registry, { lookupTtlMs: options.schemaLookupTtlMs ?? 5000 }),
    ledger: new IngestLedger(options.doc, writes, ledgerTable, { ttlHours: options.idempotencyTtlHours }),
    publisher,
    logger: options.logger,
    publishTimeoutMs: options.publishTimeoutMs ?? 8000,
  });
  const app = buildGatewayApp({
    logger: options.logger,
    metrics,
    readiness: createReadiness({ kafka: kafkaCheck(options.kafkaAdmin), dynamodb: dynamoCheck(options.doc, ledgerTable) }),
    producerKeys: new ProducerKeys(options.doc, tableName("producerApiKey", options.tablePrefix)),
    ingest,
    maxBodyBytes: options.maxBodyBytes,
    tracer: options.tracer,
  });
  return { app, publisher, ingest };
}
