// The processor service: wiring only (config, adapters, core, HTTP probes, shutdown).

import { tableName } from "../../model/tables";
import { configOrExit } from "../shared/config";
import { createDocumentClient } from "../shared/dynamo";
import { createHttpServer } from "../shared/http/server";
import { createKafkaClients } from "../shared/kafka";
import { createLogger } from "../shared/logging";
import { createMetrics, writeRequestMetrics } from "../shared/metrics";
import { createReadiness, dynamoCheck, kafkaCheck } from "../shared/readiness";
import { installShutdown } from "../shared/shutdown";
import { startTracing } from "../shared/tracing";
import { createItemWriter } from "../shared/item-writer";
import { readProcessorEnv } from "./config";
import { processorMetrics } from "./metrics";
import { Processor } from "./processor";
import { approvedSubscriptions } from "./subscriptions";

async function main(): Promise<void> {
  const env = configOrExit(() => readProcessorEnv());
  const logger = createLogger("processor", env.LOG_LEVEL);
  const tracing = startTracing("processor", env);
  const metrics = createMetrics("processor");
  const kafka = createKafkaClients(
    { ingress: env.KAFKA_INGRESS_BROKERS, egress: env.KAFKA_EGRESS_BROKERS },
    { service: "processor", auth: env.KAFKA_AUTH, region: env.AWS_REGION, logger },
  );
  const doc = createDocumentClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const subscriptionsTable = tableName("partnerEventSubscription", env.TABLE_PREFIX);

  const processor = new Processor({
    ingress: kafka.ingress,
    egress: kafka.egress,
    writes: createItemWriter(doc, { groupCommit: env.DYNAMODB_GROUP_COMMIT, observe: writeRequestMetrics(metrics.registry) }),
    countersTable: tableName("eventSubscriptionKafka", env.TABLE_PREFIX),
    subscriptions: approvedSubscriptions(doc, subscriptionsTable, env.SUBSCRIPTION_CACHE_TTL_MS),
    metrics: processorMetrics(metrics.registry),
    logger,
    topicRefreshMs: env.TOPIC_REFRESH_MS,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    tracer: tracing?.tracer,
  });

  const ingressAdmin = kafka.ingress.admin();
  const egressAdmin = kafka.egress.admin();
  const readiness = createReadiness({ kafkaIngress: kafkaCheck(ingressAdmin), kafkaEgress: kafkaCheck(egressAdmin), dynamodb: dynamoCheck(doc, subscriptionsTable) });
  const server = createHttpServer({ logger, metrics, readiness });

  await processor.start();
  await server.listen({ port: env.PORT, host: env.LISTEN_HOST });
  logger.info({ port: env.PORT }, "processor started");

  installShutdown({
    logger,
    server,
    steps: [
      { name: "stop consuming, commit, disconnect producer", run: () => processor.stop() },
      { name: "disconnect admin clients", run: async () => void (await Promise.all([ingressAdmin.disconnect(), egressAdmin.disconnect()])) },
      ...(tracing ? [{ name: "export the last spans", run: () => tracing.shutdown() }] : []),
    ],
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`processor failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
