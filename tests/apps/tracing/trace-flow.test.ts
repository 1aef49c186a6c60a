// One trace from the producer to the receiver: gateway, processor and dispatcher in-process on
// Kafka and DynamoDB Local, each with its own tracer provider exporting OTLP/HTTP (JSON) to an
// in-test receiver, as each service's main.ts does with OTEL_EXPORTER_OTLP_ENDPOINT set.
// One event with a producer's traceparent, two subscriptions (one answers 200, one 500 until
// its last attempt goes to the DLQ): the spans share the producer's trace id and link
// producer -> ingest -> fanout -> deliver, one deliver span per attempt.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import type { Admin, Kafka } from "kafkajs";
import { Registry } from "prom-client";
import { createGatewayService, gatewayProducerConfig, type GatewayService } from "../../../apps/gateway/service";
import { ProducerRegistry } from "../../../apps/admin/producers";
import { Processor } from "../../../apps/processor/processor";
import { processorMetrics } from "../../../apps/processor/metrics";
import { approvedSubscriptions } from "../../../apps/processor/subscriptions";
import { EndpointBreakers } from "../../../apps/dispatcher/breaker";
import { Deliverer } from "../../../apps/dispatcher/deliver";
import { Dispatcher } from "../../../apps/dispatcher/dispatcher";
import { dispatcherMetrics } from "../../../apps/dispatcher/metrics";
import { parseRetrySchedule } from "../../../apps/dispatcher/schedule";
import { DynamoDeliveryStatusStore } from "../../../apps/dispatcher/status-store";
import { DynamoSubscriptionDirectory } from "../../../apps/dispatcher/subscriptions";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { addToCounters } from "../../../apps/shared/subscription-counters";
import { createTracing, type Tracing } from "../../../apps/shared/tracing";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";
import type { SubscriptionItem } from "../../../model/records";
import { egressTopic, ingressTopic, type EventType } from "../../../model/topics";
import { dynamoClient, kafka as testKafka, uniquePrefix } from "../../support/engines";
import { createTopic, eventually, putSubscription, Receiver, silentLogger, Tables } from "../delivery/fixtures";
import { otlpKind, otlpStatus, OtlpReceiver, type ReceivedSpan } from "./otlp-receiver";

const producerTraceId = randomBytes(16).toString("hex");
const producerSpanId = randomBytes(8).toString("hex");

describe("one trace from the producer's request to the webhook", () => {
  const prefix = uniquePrefix("traceflow");
  const domain = prefix.slice(0, -1);
  const type: EventType = { domain, event: "created" };
  const eventType = `${domain}.created`;
  let otlp: OtlpReceiver;
  let tables: Tables;
  let kafka: Kafka;
  let admin: Admin;
  let tracings: Tracing[] = [];
  let gateway: GatewayService;
  let processor: Processor;
  let dispatcher: Dispatcher;
  let deliverer: Deliverer;
  let healthy: Receiver;
  let failing: Receiver;
  let okSub: SubscriptionItem;
  let badSub: SubscriptionItem;
  let apiKey: string;
  let base: string;

  before(async () => {
    otlp = await OtlpReceiver.start();
    const tracing = (service: string) => createTracing({ endpoint: otlp.endpoint, serviceName: `webhooks-${service}`, scheduledDelayMillis: 100 });
    tracings = [tracing("gateway"), tracing("processor"), tracing("dispatcher")];
    const [gatewayTracing, processorTracing, dispatcherTracing] = tracings;

    tables = await Tables.create(dynamoClient(), prefix);
    kafka = testKafka("trace-flow");
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, ingressTopic(type), "ingress");
    healthy = await Receiver.start();
    failing = await Receiver.start();
    failing.answer = () => ({ status: 500 });
    okSub = await putSubscription(tables, { partnerId: "p_trace_ok", eventType, url: healthy.url });
    badSub = await putSubscription(tables, { partnerId: "p_trace_bad", eventType, url: failing.url });
    for (const sub of [okSub, badSub]) await createTopic(admin, egressTopic(sub.partner_id, type), "egress");
    await new LocalSchemaRegistry(tables.doc, prefix).register(domain, "created", { type: "object" });
    apiKey = (await new ProducerRegistry(tables.doc, tables.name("producerApiKey")).create(domain)).apiKey;

    gateway = createGatewayService({
      doc: tables.doc,
      tablePrefix: prefix,
      createProducer: () => kafka.producer(gatewayProducerConfig),
      kafkaAdmin: admin,
      registry: new LocalSchemaRegistry(tables.doc, prefix),
      logger: silentLogger,
      lingerMs: 5,
      maxBodyBytes: 65_536,
      idempotencyTtlHours: 48,
      tracer: gatewayTracing!.tracer,
    });
    await gateway.publisher.connect();
    base = await gateway.app.listen({ port: 0, host: "127.0.0.1" });

    const writes = new TransactionalWriteBatcher(tables.doc);
    processor = new Processor({
      ingress: kafka,
      egress: kafka,
      writes,
      countersTable: tables.name("eventSubscriptionKafka"),
      subscriptions: approvedSubscriptions(tables.doc, tables.name("partnerEventSubscription"), 1000),
      metrics: processorMetrics(new Registry()),
      logger: silentLogger,
      topicRefreshMs: 1000,
      sessionTimeoutMs: 6000,
      groupId: `tests-${prefix}processor`,
      pattern: new RegExp(`^wh\\.ingress\\.${domain}\\.`),
      tracer: processorTracing!.tracer,
    });
    await processor.start();

    const schedule = parseRetrySchedule("1s");
    deliverer = new Deliverer({ timeoutMs: 2000, allowPrivateTargets: true });
    dispatcher = new Dispatcher({
      kafka,
      schedule,
      concurrency: 4,
      topicSizing: { partitions: 3, replicationFactor: 1 },
      topicRefreshMs: 1000,
      sessionTimeoutMs: 6000,
      logger: silentLogger,
      addCounts: (counter, counts) => addToCounters(writes, tables.name("eventSubscriptionKafka"), counter, counts),
      groupIds: { egress: `tests-${prefix}egress`, retry: `tests-${prefix}retry` },
      egressPattern: new RegExp(`^wh\\.egress\\.[a-z0-9_-]+\\.${domain}\\.`),
      ports: {
        subscriptions: new DynamoSubscriptionDirectory(tables.doc, tables.name("partnerEventSubscription"), 100),
        status: new DynamoDeliveryStatusStore(writes, tables.name("eventDeliveryStatus")),
        breakers: new EndpointBreakers({ threshold: 1000, halfOpenAfterMs: 30_000 }),
        deliverer,
        schedule,
        leaseMs: 4000,
        metrics: dispatcherMetrics(new Registry()),
        logger: silentLogger,
        tracer: dispatcherTracing!.tracer,
      },
    });
    await dispatcher.start();
  });

  after(async () => {
    await gateway?.app.close();
    await gateway?.publisher.close();
    await processor?.stop();
    await dispatcher?.stop();
    await deliverer?.close();
    await Promise.all(tracings.map((t) => t.shutdown()));
    await admin?.disconnect();
    await healthy?.close();
    await failing?.close();
    await otlp?.close();
    await tables?.drop();
  });

  it("links producer -> gateway ingest -> processor fanout -> dispatcher deliver in the producer's trace", async () => {
    const res = await fetch(`${base}/v1/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/cloudevents+json",
        traceparent: `00-${producerTraceId}-${producerSpanId}-01`,
        tracestate: "producer=1",
      },
      body: JSON.stringify({ specversion: "1.0", id: randomUUID(), source: "/trace-test", type: eventType, data: { n: 1 } }),
    });
    assert.equal(res.status, 202, await res.clone().text());

    await eventually("the healthy receiver's webhook", () => healthy.requests.length === 1 || undefined, 30_000);
    const inTrace = (predicate: (s: ReceivedSpan) => boolean) => otlp.spans.filter((s) => s.traceId === producerTraceId && predicate(s));
    // The failing subscription: attempt 1, then the 1 s tier's attempt 2, which goes to the DLQ.
    const badAttempts = await eventually(
      "both deliver spans of the failing subscription",
      () => {
        const found = inTrace((s) => s.name === "deliver" && s.attributes["webhooks.subscription_id"] === badSub.subscription_id);
        return found.length >= 2 ? found : undefined;
      },
      30_000,
    );
    const [ingest, fanout, okDeliver] = await eventually("the ingest, fanout and healthy deliver spans", () => {
      const i = inTrace((s) => s.name === "ingest");
      const f = inTrace((s) => s.name === "fanout");
      const d = inTrace((s) => s.name === "deliver" && s.attributes["webhooks.subscription_id"] === okSub.subscription_id);
      return i.length > 0 && f.length > 0 && d.length > 0 ? [i, f, d] : undefined;
    });

    assert.equal(ingest.length, 1, "one ingest span per request");
    assert.equal(fanout.length, 1, "one fanout span per ingress record");
    assert.equal(okDeliver.length, 1, "one deliver span per attempt");
    const [i, f, d] = [ingest[0]!, fanout[0]!, okDeliver[0]!];

    assert.equal(i.service, "webhooks-gateway");
    assert.equal(i.kind, otlpKind.server);
    assert.equal(i.parentSpanId, producerSpanId, "the producer's traceparent is the root's parent");
    assert.equal(i.attributes["http.response.status_code"], 202);

    assert.equal(f.service, "webhooks-processor");
    assert.equal(f.kind, otlpKind.consumer);
    assert.equal(f.parentSpanId, i.spanId, "fanout is a child of ingest");
    assert.equal(f.attributes["messaging.destination.name"], ingressTopic(type));
    assert.equal(f.attributes["webhooks.egress_records"], 2);

    assert.equal(d.service, "webhooks-dispatcher");
    assert.equal(d.kind, otlpKind.client);
    assert.equal(d.parentSpanId, f.spanId, "deliver is a child of fanout");
    assert.equal(d.attributes["webhooks.subscription_id"], okSub.subscription_id);
    assert.equal(d.attributes["webhooks.delivery.attempt"], 1);
    assert.equal(d.attributes["webhooks.delivery.result"], "success");
    assert.equal(d.attributes["http.response.status_code"], 200);
    assert.equal(d.statusCode, otlpStatus.unset);

    // A retry stays in the trace, another child of the fanout span, with the next attempt number.
    const byAttempt = badAttempts.sort((a, b) => Number(a.attributes["webhooks.delivery.attempt"]) - Number(b.attributes["webhooks.delivery.attempt"]));
    assert.deepEqual(byAttempt.map((s) => s.attributes["webhooks.delivery.attempt"]), [1, 2]);
    for (const s of byAttempt) {
      assert.equal(s.parentSpanId, f.spanId);
      assert.equal(s.attributes["webhooks.delivery.result"], "http_error");
      assert.equal(s.attributes["http.response.status_code"], 500);
      assert.equal(s.statusCode, otlpStatus.error);
      assert.match(s.statusMessage, /receiver answered 500/);
    }

    assert.ok(otlp.spans.every((s) => s.traceId === producerTraceId || !s.name.match(/^(ingest|fanout|deliver)$/)), "no span of this flow started a trace of its own");
  });
});
