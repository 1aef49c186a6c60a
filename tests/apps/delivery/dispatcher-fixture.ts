// A dispatcher running in-process on the run's Kafka broker and DynamoDB Local, with tables,
// consumer groups and egress topics of its own, so scenarios with different settings do not
// see each other's records (retry tier topics are shared by name: records of subscriptions a
// scenario does not know are skipped without effect).

import { randomUUID } from "node:crypto";
import type { Admin, Kafka, Producer } from "kafkajs";
import { Registry } from "prom-client";
import { dynamoClient, kafka as testKafka, uniquePrefix } from "../../support/engines";
import { createTopic, putSubscription, silentLogger, Tables, type SubscriptionSeed } from "./fixtures";
import { EndpointBreakers } from "../../../apps/dispatcher/breaker";
import { Deliverer } from "../../../apps/dispatcher/deliver";
import { Dispatcher } from "../../../apps/dispatcher/dispatcher";
import { dispatcherMetrics, type DispatcherMetrics } from "../../../apps/dispatcher/metrics";
import { parseRetrySchedule } from "../../../apps/dispatcher/schedule";
import { DynamoDeliveryStatusStore } from "../../../apps/dispatcher/status-store";
import { DynamoSubscriptionDirectory } from "../../../apps/dispatcher/subscriptions";
import { addToCounters } from "../../../apps/shared/subscription-counters";
import { TransactionalWriteBatcher } from "../../../apps/shared/write-batcher";
import type { DeliveryRecord, DeliveryStatusItem, SubscriptionItem } from "../../../model/records";
import { egressTopic, kafkaHeaders, type EventType } from "../../../model/topics";

export interface ScenarioOptions {
  name: string;
  schedule: string;
  allowPrivateTargets?: boolean;
  timeoutMs?: number;
  breakerThreshold?: number;
  halfOpenMs?: number;
  concurrency?: number;
}

export class DispatcherScenario {
  readonly kafka: Kafka;
  readonly domain: string;
  readonly type: EventType;
  readonly eventType: string;
  readonly metrics: DispatcherMetrics;
  readonly registry = new Registry();
  dispatcher!: Dispatcher;
  private deliverer!: Deliverer;
  private constructor(
    readonly opts: ScenarioOptions,
    readonly tables: Tables,
    readonly admin: Admin,
    readonly producer: Producer,
    kafka: Kafka,
    readonly prefix: string,
  ) {
    this.kafka = kafka;
    this.domain = prefix.slice(0, -1);
    this.type = { domain: this.domain, event: "created" };
    this.eventType = `${this.domain}.created`;
    this.metrics = dispatcherMetrics(this.registry);
  }

  static async start(opts: ScenarioOptions): Promise<DispatcherScenario> {
    const prefix = uniquePrefix(opts.name);
    const kafka = testKafka(`dispatcher-${opts.name}`);
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const tables = await Tables.create(dynamoClient(), prefix);
    const s = new DispatcherScenario(opts, tables, admin, producer, kafka, prefix);
    await s.startDispatcher();
    return s;
  }

  async startDispatcher(): Promise<void> {
    const o = this.opts;
    const schedule = parseRetrySchedule(o.schedule);
    this.deliverer = new Deliverer({ timeoutMs: o.timeoutMs ?? 2000, allowPrivateTargets: o.allowPrivateTargets ?? true });
    // One group commit for the status writes and the counters, as in main.ts.
    const writes = new TransactionalWriteBatcher(this.tables.doc);
    this.dispatcher = new Dispatcher({
      kafka: this.kafka,
      schedule,
      concurrency: o.concurrency ?? 16,
      topicSizing: { partitions: 3, replicationFactor: 1 },
      topicRefreshMs: 500,
      sessionTimeoutMs: 6000,
      logger: silentLogger,
      addCounts: (counter, counts) => addToCounters(writes, this.tables.name("eventSubscriptionKafka"), counter, counts),
      groupIds: { egress: `tests-${this.prefix}egress`, retry: `tests-${this.prefix}retry` },
      egressPattern: new RegExp(`^wh\\.egress\\.[a-z0-9_-]+\\.${this.domain}\\.`),
      ports: {
        subscriptions: new DynamoSubscriptionDirectory(this.tables.doc, this.tables.name("partnerEventSubscription"), 100),
        status: new DynamoDeliveryStatusStore(writes, this.tables.name("eventDeliveryStatus")),
        breakers: new EndpointBreakers({
          threshold: o.breakerThreshold ?? 1000,
          halfOpenAfterMs: o.halfOpenMs ?? 30_000,
          onStateChange: (endpoint, state) => this.metrics.setCircuitState(endpoint, state),
        }),
        deliverer: this.deliverer,
        schedule,
        leaseMs: (o.timeoutMs ?? 2000) + 2000,
        metrics: this.metrics,
        logger: silentLogger,
      },
    });
    await this.dispatcher.start();
  }

  async stopDispatcher(): Promise<void> {
    await this.dispatcher.stop();
    await this.deliverer.close();
  }

  /** A subscription of this scenario's event type, with its egress topic. */
  async subscribe(seed: Omit<SubscriptionSeed, "eventType">): Promise<SubscriptionItem> {
    return (await this.subscribeAll([seed]))[0]!;
  }

  /** Several subscriptions, then one topic refresh (each refresh that finds topics rejoins the group). */
  async subscribeAll(seeds: Omit<SubscriptionSeed, "eventType">[]): Promise<SubscriptionItem[]> {
    const subs: SubscriptionItem[] = [];
    for (const seed of seeds) {
      await createTopic(this.admin, egressTopic(seed.partnerId, this.type), "egress");
      subs.push(await putSubscription(this.tables, { ...seed, eventType: this.eventType }));
    }
    await this.dispatcher.refreshTopics();
    return subs;
  }

  /** Publishes the egress record the processor would for this subscription; returns it. */
  async publish(sub: SubscriptionItem, data: unknown = { n: 1 }, eventId: string = randomUUID(), key = "source-1"): Promise<DeliveryRecord> {
    const now = new Date().toISOString();
    const record: DeliveryRecord = { eventId, subscriptionId: sub.subscription_id, partnerId: sub.partner_id, eventType: this.eventType, receivedAt: now, type: this.eventType, timestamp: now, data };
    await this.producer.send({
      topic: egressTopic(sub.partner_id, this.type),
      acks: -1,
      messages: [{ key, value: JSON.stringify(record), headers: { [kafkaHeaders.eventId]: eventId, [kafkaHeaders.subscriptionId]: sub.subscription_id } }],
    });
    return record;
  }

  status(record: DeliveryRecord): Promise<DeliveryStatusItem | undefined> {
    return this.tables.get<DeliveryStatusItem>("eventDeliveryStatus", { event_id: record.eventId, subscription_id: record.subscriptionId });
  }

  subscription(sub: SubscriptionItem): Promise<SubscriptionItem | undefined> {
    return this.tables.get<SubscriptionItem>("partnerEventSubscription", { subscription_key: sub.subscription_key });
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = (await this.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val));
    return v?.value ?? 0;
  }

  async close(): Promise<void> {
    await this.stopDispatcher();
    await this.producer.disconnect();
    await this.admin.disconnect();
    await this.tables.drop();
    this.tables.client.destroy();
  }
}
