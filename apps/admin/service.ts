// The admin API assembled from its collaborators: main.ts passes the production adapters,
// the integration tests the same adapters on local engines.

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { FastifyInstance } from "fastify";
import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "pino";
import { tableName } from "../../model/tables";
import { createMetrics } from "../shared/metrics";
import { createReadiness, dynamoCheck, kafkaCheck } from "../shared/readiness";
import type { SchemaRegistry } from "../shared/registry/port";
import { checkDeliveryUrl } from "../shared/target-guard";
import type { TopicSizing } from "../shared/topic-admin";
import { buildAdminApp } from "./app";
import { DeliveryStatusReader } from "./deliveries";
import { DlqReplayer } from "./dlq-replay";
import { ProducerRegistry } from "./producers";
import { SchemaAdmin } from "./schemas";
import { SubscriptionService } from "./subscriptions";

export interface AdminServiceOptions {
  doc: DynamoDBDocumentClient;
  tablePrefix: string;
  /** Kafka admin clients per cluster role: ingress topics on one, egress topics on the other. */
  ingressAdmin: Admin;
  egressAdmin: Admin;
  /** The egress cluster's client: DLQ replay reads the DLQ and writes egress topics with it. */
  egressKafka: Kafka;
  registry: SchemaRegistry;
  logger: Logger;
  adminToken: string;
  sizing: TopicSizing;
  allowPrivateTargets: boolean;
}

export interface AdminService {
  app: FastifyInstance;
  dlqReplayer: DlqReplayer;
}

export function createAdminService(options: AdminServiceOptions): AdminService {
  const table = (id: Parameters<typeof tableName>[0]) => tableName(id, options.tablePrefix);
  const dlqReplayer = new DlqReplayer(options.egressKafka);
  const app = buildAdminApp({
    logger: options.logger,
    metrics: createMetrics("admin"),
    readiness: createReadiness({
      kafkaIngress: kafkaCheck(options.ingressAdmin),
      kafkaEgress: kafkaCheck(options.egressAdmin),
      dynamodb: dynamoCheck(options.doc, table("partnerEventSubscription")),
    }),
    adminToken: options.adminToken,
    producers: new ProducerRegistry(options.doc, table("producerApiKey")),
    schemas: new SchemaAdmin(options.registry, options.ingressAdmin, options.sizing),
    subscriptions: new SubscriptionService({
      doc: options.doc,
      subscriptionsTable: table("partnerEventSubscription"),
      subscriptionKafkaTable: table("eventSubscriptionKafka"),
      registry: options.registry,
      egressAdmin: options.egressAdmin,
      sizing: options.sizing,
      checkUrl: (url) => checkDeliveryUrl(url, { allowPrivateTargets: options.allowPrivateTargets }),
    }),
    deliveries: new DeliveryStatusReader(options.doc, table("eventDeliveryStatus")),
    dlqReplayer,
  });
  return { app, dlqReplayer };
}
