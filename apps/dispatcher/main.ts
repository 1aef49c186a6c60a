// The dispatcher service: wiring only (config, adapters, core, HTTP probes, shutdown).

import { tableName } from "../../model/tables";
import { configOrExit } from "../shared/config";
import { createDocumentClient } from "../shared/dynamo";
import { createHttpServer } from "../shared/http/server";
import { createKafka } from "../shared/kafka";
import { createLogger } from "../shared/logging";
import { createMetrics, writeRequestMetrics } from "../shared/metrics";
import { createReadiness, dynamoCheck, kafkaCheck } from "../shared/readiness";
import { installShutdown } from "../shared/shutdown";
import { startTracing } from "../shared/tracing";
import { addToCounters } from "../shared/subscription-counters";
import { createItemWriter } from "../shared/item-writer";
import { EndpointBreakers } from "./breaker";
import { readDispatcherEnv } from "./config";
import { Deliverer } from "./deliver";
import { Dispatcher } from "./dispatcher";
import { dispatcherMetrics } from "./metrics";
import { DynamoDeliveryStatusStore } from "./status-store";
import { DynamoSubscriptionDirectory } from "./subscriptions";

/** A claim outlives the attempt's timeout by this much (signing, status write, clock skew between instances). */
const leaseMarginMs = 5000;

async function main(): Promise<void> {
  const env = configOrExit(() => readDispatcherEnv());
  const logger = createLogger("dispatcher", env.LOG_LEVEL);
  const tracing = startTracing("dispatcher", env);
  const metrics = createMetrics("dispatcher");
  const delivery = dispatcherMetrics(metrics.registry);
  const kafka = createKafka({ clientId: "webhooks-dispatcher-egress", brokers: env.KAFKA_EGRESS_BROKERS, auth: env.KAFKA_AUTH, region: env.AWS_REGION, logger });
  const doc = createDocumentClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const writes = createItemWriter(doc, { groupCommit: env.DYNAMODB_GROUP_COMMIT, observe: writeRequestMetrics(metrics.registry) });
  const statusTable = tableName("eventDeliveryStatus", env.TABLE_PREFIX);
  const countersTable = tableName("eventSubscriptionKafka", env.TABLE_PREFIX);
  const deliverer = new Deliverer({ timeoutMs: env.DELIVERY_TIMEOUT_MS, allowPrivateTargets: env.DELIVERY_ALLOW_PRIVATE_TARGETS });

  const dispatcher = new Dispatcher({
    kafka,
    schedule: env.DELIVERY_RETRY_SCHEDULE,
    concurrency: env.DELIVERY_CONCURRENCY,
    topicSizing: { partitions: env.KAFKA_TOPIC_PARTITIONS, replicationFactor: env.KAFKA_REPLICATION_FACTOR },
    topicRefreshMs: env.TOPIC_REFRESH_MS,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    logger,
    addCounts: (counter, counts) => addToCounters(writes, countersTable, counter, counts),
    ports: {
      subscriptions: new DynamoSubscriptionDirectory(doc, tableName("partnerEventSubscription", env.TABLE_PREFIX), env.SUBSCRIPTION_CACHE_TTL_MS),
      status: new DynamoDeliveryStatusStore(writes, statusTable),
      breakers: new EndpointBreakers({
        threshold: env.CIRCUIT_BREAKER_THRESHOLD,
        halfOpenAfterMs: env.CIRCUIT_BREAKER_HALF_OPEN_MS,
        onStateChange: (endpoint, state) => {
          delivery.setCircuitState(endpoint, state);
          logger.warn({ endpoint, state }, "circuit breaker state changed");
        },
      }),
      deliverer,
      schedule: env.DELIVERY_RETRY_SCHEDULE,
      leaseMs: env.DELIVERY_TIMEOUT_MS + leaseMarginMs,
      metrics: delivery,
      logger,
      tracer: tracing?.tracer,
    },
  });

  const admin = kafka.admin();
  const readiness = createReadiness({ kafka: kafkaCheck(admin), dynamodb: dynamoCheck(doc, statusTable) });
  const server = createHttpServer({ logger, metrics, readiness });

  await dispatcher.start();
  await server.listen({ port: env.PORT, host: env.LISTEN_HOST });
  logger.info({ port: env.PORT, retryTiers: env.DELIVERY_RETRY_SCHEDULE.tiers.map((t) => t.label) }, "dispatcher started");

  installShutdown({
    logger,
    server,
    steps: [
      { name: "stop consuming, finish in-flight deliveries, commit, disconnect", run: () => dispatcher.stop() },
      { name: "close HTTP agent", run: () => deliverer.close() },
      { name: "disconnect admin client", run: () => admin.disconnect() },
      ...(tracing ? [{ name: "export the last spans", run: () => tracing.shutdown() }] : []),
    ],
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`dispatcher failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
