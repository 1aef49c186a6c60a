// The gateway on real engines: Kafka 3.7 and DynamoDB Local from the test run, the local
// schema registry on DynamoDB, HTTP on a loopback port.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import pino from "pino";
import type { Admin, Kafka, Producer } from "kafkajs";
import { ingressTopic, kafkaHeaders } from "../../../model/topics";
import { tableName } from "../../../model/tables";
import type { IngressRecord } from "../../../model/records";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { ProducerRegistry } from "../../../apps/admin/producers";
import { createGatewayService, gatewayProducerConfig, type GatewayService } from "../../../apps/gateway/service";
import { kafka, uniquePrefix } from "../../support/engines";
import { TopicCollector, listen, testTables, type ReceivedRecord, type TestTables } from "../shared/service-harness";

const v1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["orderId", "amount"],
  properties: {
    orderId: { type: "string", minLength: 1 },
    amount: { type: "number", minimum: 0 },
    currency: { type: "string", pattern: "^[A-Z]{3}$" },
  },
  additionalProperties: false,
};
const v2 = { ...v1, properties: { ...v1.properties, note: { type: "string" } } };

const singleType = "application/cloudevents+json";
const batchType = "application/cloudevents-batch+json";

describe("gateway: POST /v1/events on Kafka and DynamoDB Local", () => {
  let tables: TestTables;
  let client: Kafka;
  let admin: Admin;
  let service: GatewayService;
  let collector: TopicCollector;
  let base: string;
  let domain: string;
  let type: string;
  let topic: string;
  let apiKey: string;
  let otherDomainKey: string;
  let registry: LocalSchemaRegistry;
  let sendBatchCalls = 0;

  before(async () => {
    tables = await testTables("gateway");
    domain = tables.prefix.replace(/_$/, "");
    type = `${domain}.created`;
    topic = ingressTopic({ domain, event: "created" });
    registry = new LocalSchemaRegistry(tables.doc, tables.prefix);
    const registered = await registry.register(domain, "created", v1);
    assert.equal(registered.kind, "created");

    client = kafka("gateway-test");
    admin = client.admin();
    await admin.connect();
    // One partition, so "nothing was published" can be shown by a later record arriving alone.
    await ensureTopic(admin, topic, "ingress", { partitions: 1, replicationFactor: 1 });
    // Real producers, with their produce requests counted (to show that requests share batches).
    const countedProducer = (): Producer => {
      const producer = client.producer(gatewayProducerConfig);
      return Object.assign(Object.create(producer) as Producer, {
        sendBatch: (batch: Parameters<Producer["sendBatch"]>[0]) => {
          sendBatchCalls += 1;
          return producer.sendBatch(batch);
        },
      });
    };
    service = createGatewayService({
      doc: tables.doc,
      tablePrefix: tables.prefix,
      createProducer: countedProducer,
      kafkaAdmin: admin,
      registry,
      logger: pino({ level: "silent" }),
      lingerMs: 25, // wide enough that concurrent requests share batches even on a loaded machine
      maxBodyBytes: 4096,
      idempotencyTtlHours: 48,
      publishTimeoutMs: 5000,
      schemaLookupTtlMs: 300,
    });
    base = await listen(service.app);

    const producers = new ProducerRegistry(tables.doc, tableName("producerApiKey", tables.prefix));
    apiKey = (await producers.create(domain)).apiKey;
    otherDomainKey = (await producers.create(`other${uniquePrefix("d").replace(/_/g, "")}`)).apiKey;
    collector = await TopicCollector.start(client, [topic], `gateway-test-${randomUUID()}`);
  });

  after(async () => {
    await collector?.stop();
    await service?.app.close();
    await service?.publisher.close();
    await admin?.disconnect();
    await tables?.dispose();
  });

  function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      specversion: "1.0",
      id: randomUUID(),
      source: `/tests/${randomUUID()}`,
      type,
      time: "2026-01-31T12:00:00Z",
      data: { orderId: "o-1", amount: 12.5, currency: "EUR" },
      ...overrides,
    };
  }

  async function post(body: unknown, options: { contentType?: string; key?: string | null; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { "content-type": options.contentType ?? singleType, ...options.headers };
    const key = options.key === undefined ? apiKey : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const res = await fetch(`${base}/v1/events`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  const sourceOf = (r: ReceivedRecord) => (JSON.parse(r.value) as IngressRecord).event.source;

  /** Sends a valid event and waits for it: anything the gateway published before it has arrived too. */
  async function assertNothingPublishedFrom(sources: string[]): Promise<void> {
    const sentinel = event();
    assert.equal((await post(sentinel)).status, 202);
    await collector.waitFor((r) => sourceOf(r) === sentinel.source);
    assert.deepEqual(collector.records.filter((r) => sources.includes(sourceOf(r))), []);
  }

  function assertProblem(res: { status: number; contentType: string; body: Record<string, any> }, status: number): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.contentType, /^application\/problem\+json/);
    assert.equal(res.body.status, status);
    assert.equal(typeof res.body.type, "string");
    assert.equal(typeof res.body.title, "string");
    assert.equal(typeof res.body.detail, "string");
  }

  it("answers 202 with an eventId and writes the record to the ingress topic, keyed by source, with CloudEvent and trace headers", async () => {
    const sent = event();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await post(sent, { headers: { traceparent } });
    assert.equal(res.status, 202);
    assert.match(res.body.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(res.body.duplicate, undefined);

    const [record] = await collector.waitFor((r) => sourceOf(r) === sent.source);
    assert.equal(record!.key, sent.source);
    const value = JSON.parse(record!.value) as IngressRecord;
    assert.equal(value.eventId, res.body.eventId);
    assert.equal(value.schemaVersion, 1);
    assert.deepEqual(value.event, sent);
    assert.ok(Date.parse(value.receivedAt) > Date.now() - 60_000);
    assert.equal(record!.headers[kafkaHeaders.ceId], sent.id);
    assert.equal(record!.headers[kafkaHeaders.ceSource], sent.source);
    assert.equal(record!.headers[kafkaHeaders.ceType], type);
    assert.equal(record!.headers[kafkaHeaders.ceSpecVersion], "1.0");
    assert.equal(record!.headers[kafkaHeaders.ceTime], sent.time);
    assert.equal(record!.headers[kafkaHeaders.ceDataVersion], "1");
    assert.equal(record!.headers[kafkaHeaders.eventId], res.body.eventId);
    assert.match(record!.headers[kafkaHeaders.traceparent]!, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it("keys the record by the partitionkey extension when the event has one", async () => {
    const sent = event({ partitionkey: "customer-42" });
    assert.equal((await post(sent)).status, 202);
    const [record] = await collector.waitFor((r) => sourceOf(r) === sent.source);
    assert.equal(record!.key, "customer-42");
  });

  it("answers a repeat of the same source and id with the same eventId and duplicate: true, and publishes nothing more", async () => {
    const sent = event();
    const first = await post(sent);
    assert.equal(first.status, 202);
    const again = await post({ ...sent, data: { orderId: "o-2", amount: 1 } });
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, { eventId: first.body.eventId, duplicate: true });
    await assertNothingPublishedFrom([]);
    assert.equal(collector.records.filter((r) => sourceOf(r) === sent.source).length, 1);
  });

  it("answers 401 problem+json without a key and with an unknown key, and publishes nothing", async () => {
    const a = event();
    const b = event();
    const missing = await post(a, { key: null });
    assertProblem(missing, 401);
    assert.match(missing.body.detail, /Authorization: Bearer/);
    assertProblem(await post(b, { key: "whpk_not-a-real-key" }), 401);
    await assertNothingPublishedFrom([a.source as string, b.source as string]);
  });

  it("answers 403 when the key's domain is not the event's domain", async () => {
    const sent = event();
    const res = await post(sent, { key: otherDomainKey });
    assertProblem(res, 403);
    assert.equal(res.body.errors[0].path, "/type");
    await assertNothingPublishedFrom([sent.source as string]);
  });

  it("rejects a batch with one invalid event with 422 and errors by index, and publishes none of it", async () => {
    const batch = [event(), event(), event({ data: { orderId: "o-3", amount: "twelve" } })];
    const res = await post(batch, { contentType: batchType });
    assertProblem(res, 422);
    assert.deepEqual(res.body.errors, [{ path: "/2/data/amount", message: "must be number" }]);
    assert.match(res.body.detail, /nothing in the batch was published/);
    await assertNothingPublishedFrom(batch.map((e) => e.source as string));
  });

  it("answers a batch with faults of several kinds with the first status of 400, 403, 404, 422 and every fault by index", async () => {
    const batch = [event({ data: { orderId: "o", amount: "x" } }), event({ type: "elsewhere.created" }), event({ id: "" })];
    const res = await post(batch, { contentType: batchType });
    assertProblem(res, 400);
    assert.deepEqual(
      (res.body.errors as { path: string }[]).map((e) => e.path),
      ["/0/data/amount", "/1/type", "/2/id"],
    );
    await assertNothingPublishedFrom(batch.map((e) => e.source as string));
  });

  it("publishes every event of a valid batch and answers their eventIds in order", async () => {
    const batch = [event(), event(), event()];
    const res = await post(batch, { contentType: batchType });
    assert.equal(res.status, 202);
    assert.equal(res.body.events.length, 3);
    const records = await collector.waitFor((r) => batch.some((e) => e.source === sourceOf(r)), 3);
    batch.forEach((sent, i) => {
      const record = records.find((r) => sourceOf(r) === sent.source)!;
      assert.equal((JSON.parse(record.value) as IngressRecord).eventId, res.body.events[i].eventId);
    });
  });

  it("answers a batch that repeats one source and id with one record and the same eventId marked duplicate", async () => {
    const first = event();
    const res = await post([first, { ...first }, event()], { contentType: batchType });
    assert.equal(res.status, 202);
    assert.equal(res.body.events[1].eventId, res.body.events[0].eventId);
    assert.equal(res.body.events[1].duplicate, true);
    assert.equal(res.body.events[0].duplicate, undefined);
    await assertNothingPublishedFrom([]);
    assert.equal(collector.records.filter((r) => sourceOf(r) === first.source).length, 1);
  });

  it("answers concurrent copies of one event with one eventId and writes one record", async () => {
    const sent = event();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(sent)));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(202));
    assert.equal(new Set(answers.map((a) => a.body.eventId)).size, 1);
    assert.equal(answers.filter((a) => a.body.duplicate !== true).length, 1);
    await assertNothingPublishedFrom([]);
    assert.equal(collector.records.filter((r) => sourceOf(r) === sent.source).length, 1);
  });

  it("lets concurrent requests share produce requests rather than one per request", async () => {
    const events = Array.from({ length: 30 }, () => event());
    const before = sendBatchCalls;
    const answers = await Promise.all(events.map((e) => post(e)));
    assert.deepEqual(answers.map((a) => a.status), Array(30).fill(202));
    const calls = sendBatchCalls - before;
    assert.ok(calls < 30, `30 requests took ${calls} produce requests`);
    await collector.waitFor((r) => events.some((e) => e.source === sourceOf(r)), 30);
  });

  it("answers 400 problem+json for malformed JSON", async () => {
    const res = await post('{"specversion": "1.0", ', {});
    assertProblem(res, 400);
    assert.match(res.body.detail, /not valid JSON/);
    await assertNothingPublishedFrom([]);
  });

  it("answers 400 naming each attribute at fault when the body is not a CloudEvent", async () => {
    const sent = { specversion: "0.3", source: "/tests/not-a-cloudevent", type: "Orders Created", data: {} };
    const res = await post(sent);
    assertProblem(res, 400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ["/id", "/specversion", "/type"]);
    await assertNothingPublishedFrom([sent.source]);
  });

  it("answers 404 for a type without an ACTIVE schema and for an unknown dataversion", async () => {
    const unknownType = event({ type: `${domain}.never_registered` });
    const unknownVersion = event({ dataversion: 9 });
    const a = await post(unknownType);
    assertProblem(a, 404);
    assert.deepEqual(a.body.errors, [{ path: "/type", message: `no ACTIVE schema is registered for ${domain}.never_registered` }]);
    const b = await post(unknownVersion);
    assertProblem(b, 404);
    assert.equal(b.body.errors[0].path, "/dataversion");
    await assertNothingPublishedFrom([unknownType.source as string, unknownVersion.source as string]);
  });

  it("answers 413 for a body over MAX_BODY_BYTES", async () => {
    const sent = event({ data: { orderId: "x".repeat(5000), amount: 1 } });
    assertProblem(await post(sent), 413);
    await assertNothingPublishedFrom([sent.source as string]);
  });

  it("answers 415 for media types other than the two CloudEvents JSON types", async () => {
    const sent = event();
    const res = await post(sent, { contentType: "application/json" });
    assertProblem(res, 415);
    assert.match(res.body.detail, /application\/cloudevents\+json/);
    await assertNothingPublishedFrom([sent.source as string]);
  });

  it("accepts the CloudEvents media type with parameters and in any letter case", async () => {
    assert.equal((await post(event(), { contentType: "application/cloudevents+json; charset=utf-8" })).status, 202);
    assert.equal((await post([event()], { contentType: "Application/CloudEvents-Batch+JSON" })).status, 202);
  });

  it("answers 422 with a JSON-pointer path for every schema violation", async () => {
    const sent = event({ data: { amount: -1, currency: "euro", extra: true } });
    const res = await post(sent);
    assertProblem(res, 422);
    assert.deepEqual(
      (res.body.errors as { path: string }[]).map((e) => e.path).sort(),
      ["/data/amount", "/data/currency", "/data/extra", "/data/orderId"],
    );
    await assertNothingPublishedFrom([sent.source as string]);
  });

  it("validates against the latest ACTIVE version, picks up a new version without restart, and honours dataversion", async () => {
    const withNote = { orderId: "o-9", amount: 3, note: "leave at the door" };
    assertProblem(await post(event({ data: withNote })), 422);
    assert.equal((await registry.register(domain, "created", v2)).kind, "created");
    await new Promise((r) => setTimeout(r, 400)); // the gateway trusts its "latest version" answer for 300 ms here

    const latest = event({ data: withNote });
    const res = await post(latest);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const [record] = await collector.waitFor((r) => sourceOf(r) === latest.source);
    assert.equal((JSON.parse(record!.value) as IngressRecord).schemaVersion, 2);
    assert.equal(record!.headers[kafkaHeaders.ceDataVersion], "2");

    const pinned = await post(event({ data: withNote, dataversion: 1 }));
    assertProblem(pinned, 422);
    assert.deepEqual(pinned.body.errors, [{ path: "/data/note", message: "must NOT have additional properties" }]);
  });
});
