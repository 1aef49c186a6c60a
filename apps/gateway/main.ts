// The gateway process: read config, build adapters, build the service, listen, install shutdown.

import { configOrExit } from "../shared/config";
import { createDocumentClient } from "../shared/dynamo";
import { createKafka } from "../shared/kafka";
import { createLogger } from "../shared/logging";
import { createSchemaRegistry } from "../shared/schema-registry";
import { installShutdown } from "../shared/shutdown";
import { startTracing } from "../shared/tracing";
import { readGatewayEnv } from "./config";
import { createGatewayService, gatewayProducerConfig } from "./service";

async function main(): Promise<void> {
  const env = configOrExit(() => readGatewayEnv());
  const logger = createLogger("gateway", env.LOG_LEVEL);
  const tracing = startTracing("gateway", env);
  const doc = createDocumentClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const kafka = createKafka({ clientId: "webhooks-gateway-ingress", brokers: env.KAFKA_INGRESS_BROKERS, auth: env.KAFKA_AUTH, region: env.AWS_REGION, logger });
  const kafkaAdmin = kafka.admin();
  const registry = createSchemaRegistry({ kind: env.SCHEMA_REGISTRY, glueRegistryName: env.GLUE_REGISTRY_NAME, region: env.AWS_REGION, tablePrefix: env.TABLE_PREFIX }, doc);

  const { app, publisher, ingest } = createGatewayService({
    doc,
    tablePrefix: env.TABLE_PREFIX,
    createProducer: () => kafka.producer(gatewayProducerConfig),
    kafkaAdmin,
    registry,
    logger,
    lingerMs: env.PRODUCER_LINGER_MS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    idempotencyTtlHours: env.IDEMPOTENCY_TTL_HOURS,
    groupCommit: env.DYNAMODB_GROUP_COMMIT,
    tracer: tracing?.tracer,
  });

  await publisher.connect();

  installShutdown({
    logger,
    server: app,
    steps: [
      { name: "flush and disconnect producer", run: () => publisher.close() },
      { name: "disconnect admin", run: () => kafkaAdmin.disconnect() },
      { name: "finish idempotency confirmations", run: () => ingest.confirmationsSettled() },
      { name: "close DynamoDB client", run: async () => doc.destroy() },
      ...(tracing ? [{ name: "export the last spans", run: () => tracing.shutdown() }] : []),
    ],
  });
  const address = await app.listen({ port: env.PORT, host: env.LISTEN_HOST });
  logger.info({ address }, "gateway listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
