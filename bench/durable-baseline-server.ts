// The durable ingest baseline: the bare baseline plus what makes an event durable, nothing
// else: each event is produced to a Kafka topic (BENCH_BASELINE_TOPIC on
// BENCH_BASELINE_BROKERS) with the gateway's own batching publisher and producer settings
// (idempotent, acks=all, PRODUCER_LINGER_MS's default linger), and the 202 waits for the
// acknowledgement. Set against the gateway, it isolates what the gateway adds on top of
// durability: authentication, CloudEvents and schema validation, the idempotency ledger.

import { createKafka } from "../apps/shared/kafka";
import { gatewayProducerConfig } from "../apps/gateway/service";
import { createLogger } from "../apps/shared/logging";
import { BatchingPublisher } from "../apps/gateway/publisher";
import { readGatewayEnv } from "../apps/gateway/config";
import { serveBaseline } from "./baseline-http";

const brokers = process.env.BENCH_BASELINE_BROKERS;
const topic = process.env.BENCH_BASELINE_TOPIC;
if (!brokers || !topic) throw new Error("BENCH_BASELINE_BROKERS and BENCH_BASELINE_TOPIC must be set");

const kafka = createKafka({ clientId: "bench-durable-baseline", brokers: brokers.split(","), auth: "none", region: "us-east-1", logger: createLogger("durable-baseline", "warn") });
const lingerMs = readGatewayEnv({ KAFKA_INGRESS_BROKERS: brokers }).PRODUCER_LINGER_MS;
const publisher = new BatchingPublisher(() => kafka.producer(gatewayProducerConfig), { lingerMs });

void publisher.connect().then(() =>
  serveBaseline(
    (event, body) => {
      const source = (event as { source?: unknown }).source;
      return publisher.publish([{ topic, key: typeof source === "string" ? source : "", value: body, headers: {} }]);
    },
    () => publisher.close(),
  ),
);
