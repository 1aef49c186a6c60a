// The admin API process: read config, build adapters, build the service, listen, install shutdown.

import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { configOrExit } from "../shared/config";
import { createDocumentClient } from "../shared/dynamo";
import { createKafkaClients } from "../shared/kafka";
import { createLogger } from "../shared/logging";
import { createSchemaRegistry } from "../shared/schema-registry";
import { installShutdown } from "../shared/shutdown";
import { startTracing } from "../shared/tracing";
import { resolveAdminToken } from "./admin-token";
import { readAdminEnv } from "./config";
import { createAdminService } from "./service";

async function main(): Promise<void> {
  const env = configOrExit(() => readAdminEnv());
  const logger = createLogger("admin", env.LOG_LEVEL);
  const tracing = startTracing("admin", env);
  // The Secrets Manager endpoint follows the SDK's own settings (AWS_ENDPOINT_URL_SECRETS_MANAGER for moto).
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

  const { app, dlqReplayer } = createAdminService({
    doc,
    tablePrefix: env.TABLE_PREFIX,
    ingressAdmin,
    egressAdmin,
    egressKafka: kafka.egress,
    registry,
    logger,
    adminToken,
    sizing: { partitions: env.KAFKA_TOPIC_PARTITIONS, replicationFactor: env.KAFKA_REPLICATION_FACTOR },
    allowPrivateTargets: env.DELIVERY_ALLOW_PRIVATE_TARGETS,
  });

  installShutdown({
    logger,
    server: app,
    steps: [
      { name: "disconnect DLQ replay producer", run: () => dlqReplayer.close() },
      { name: "disconnect Kafka admins", run: async () => void (await Promise.all([ingressAdmin.disconnect(), egressAdmin.disconnect()])) },
      { name: "close DynamoDB client", run: async () => doc.destroy() },
      ...(tracing ? [{ name: "export the last spans", run: () => tracing.shutdown() }] : []),
    ],
  });
  const address = await app.listen({ port: env.PORT, host: env.LISTEN_HOST });
  logger.info({ address }, "admin API listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`admin failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
