// The admin API process: read config, build adapters, build the core, listen, install shutdown.

import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { tableName } from "../../model/tables";
import { configOrExit } from "../shared/config";
import { createDocumentClient } from "../shared/dynamo";
import { createKafkaClients } from "../shared/kafka";
import { createLogger } from "../shared/logging";
import { createMetrics } from "../shared/metrics";
import { createReadiness, dynamoCheck, kafkaCheck } from "../shared/readiness";
import { createSchemaRegistry } from "../shared/schema-registry";
import { installShutdown } from "../shared/shutdown";
import { checkDeliveryUrl } from "../shared/target-guard";
import { resolveAdminToken } from "./admin-token";
import { buildAdminApp } from "./app";
import { readAdminEnv } from "./config";
import { DeliveryStatusReader } from "./deliveries";
import { ProducerRegistry } from "./producers";
import { SchemaAdmin } from "./schemas";
import { SubscriptionService } from "./subscriptions";

async function main(): Promise<void> {
  const env = configOrExit(() => readAdminEnv());
  const logger = createLogger("admin", env.LOG_LEVEL);
  const adminToken = await resolveAdminToken(
    env.ADMIN_TOKEN ? { token: env.ADMIN_TOKEN } : { secretId: env.ADMIN_TOKEN_SECRET_ID!, client: new SecretsManagerClient({ region: env.AWS_REGION }) },
  );
  const doc = createDocumentClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const kafka = createKafkaClients(
    { ingress: env.KAFKA_INGRESS_BROKERS, egress: env.KAFKA_EGRESS_BROKERS },
    { service: "admin", auth: env.KAFKA_AUTH, region: env.AWS_REGION, logger },
  );
  const ingressAdmin = kafka.ingress.admin();
  const egressAdmin = kafka.egress.admin();
  await Promise.all([ingressAdmin.connect(), egressAdmin.connect()]);

  const registry = createSchemaRegistry({ kind: env.SCHEMA_REGISTRY, glueRegistryName: env.GLUE_REGISTRY_NAME, region: env.AWS_REGION, tablePrefix: env.TABLE_PREFIX }, doc);
  const sizing = { partitions: env.KAFKA_TOPIC_PARTITIONS, replicationFactor: env.KAFKA_REPLICATION_FACTOR };
  const app = buildAdminApp({
    logger,
    metrics: createMetrics("admin"),
    readiness: createReadiness({
      kafkaIngress: kafkaCheck(ingressAdmin),
      kafkaEgress: kafkaCheck(egressAdmin),
      dynamodb: dynamoCheck(doc, tableName("partnerEventSubscription", env.TABLE_PREFIX)),
    }),
    adminToken,
    producers: new ProducerRegistry(doc, tableName("producerApiKey", env.TABLE_PREFIX)),
    schemas: new SchemaAdmin(registry, ingressAdmin, sizing),
    subscriptions: new SubscriptionService({
      doc,
      subscriptionsTable: tableName("partnerEventSubscription", env.TABLE_PREFIX),
      subscriptionKafkaTable: tableName("eventSubscriptionKafka", env.TABLE_PREFIX),
      registry,
      egressAdmin,
      sizing,
      checkUrl: (url) => checkDeliveryUrl(url, { allowPrivateTargets: env.DELIVERY_ALLOW_PRIVATE_TARGETS }),
    }),
    deliveries: new DeliveryStatusReader(doc, tableName("eventDeliveryStatus", env.TABLE_PREFIX)),
  });

  installShutdown({
    logger,
    server: app,
    steps: [
      { name: "disconnect Kafka admins", run: async () => void (await Promise.all([ingressAdmin.disconnect(), egressAdmin.disconnect()])) },
      { name: "close DynamoDB client", run: async () => doc.destroy() },
    ],
  });
  const address = await app.listen({ port: env.PORT, host: env.LISTEN_HOST });
  logger.info({ address }, "admin API listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`admin failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
