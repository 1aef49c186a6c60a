// The admin API on real engines: Kafka 3.7 and DynamoDB Local from the test run, the local
// schema registry on DynamoDB, HTTP on a loopback port.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import pino from "pino";
import { ConfigResourceTypes, type Admin, type Kafka } from "kafkajs";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { FastifyInstance } from "fastify";
import { egressTopic, ingressTopic, topicKinds } from "../../../model/topics";
import { subscriptionKey, tableName } from "../../../model/tables";
import type { DeliveryStatusItem, ProducerApiKeyItem, SubscriptionItem, SubscriptionKafkaItem } from "../../../model/records";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { createAdminService } from "../../../apps/admin/service";
import { kafka } from "../../support/engines";
import { listen, testTables, type TestTables } from "../shared/service-harness";

const adminToken = `test-admin-token-${randomUUID()}`;

const v1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["invoiceId"],
  properties: { invoiceId: { type: "string" }, total: { type: "number" } },
};
const v2Optional = { ...v1, properties: { ...v1.properties, memo: { type: "string" } } };
const v3Required = { ...v2Optional, required: ["invoiceId", "dueDate"], properties: { ...v2Optional.properties, dueDate: { type: "string" } } };

/** A public address that is only checked, never contacted. */
const publicUrl = "https://93.184.215.14/webhooks";

type Json = Record<string, any>;

describe("admin API on Kafka and DynamoDB Local", () => {
  let tables: TestTables;
  let client: Kafka;
  let kafkaAdmin: Admin;
  let app: FastifyInstance;
  let base: string;
  let domain: string;

  before(async () => {
    tables = await testTables("admin");
    domain = tables.prefix.replace(/_$/, "");
    client = kafka("admin-test");
    kafkaAdmin = client.admin();
    await kafkaAdmin.connect();
    ({ app } = createAdminService({
      doc: tables.doc,
      tablePrefix: tables.prefix,
      ingressAdmin: kafkaAdmin,
      egressAdmin: kafkaAdmin,
      egressKafka: client,
      registry: new LocalSchemaRegistry(tables.doc, tables.prefix),
      logger: pino({ level: "silent" }),
      adminToken,
      sizing: { partitions: 3, replicationFactor: 1 },
      allowPrivateTargets: false,
    }));
    base = await listen(app);
  });

  after(async () => {
    await app?.close();
    await kafkaAdmin?.disconnect();
    await tables?.dispose();
  });

  async function call(method: string, path: string, body?: unknown, token: string | null = adminToken) {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json, text };
  }

  function assertProblem(res: { status: number; contentType: string; body: Json }, status: number): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.contentType, /^application\/problem\+json/);
    assert.equal(res.body.status, status);
    for (const field of ["type", "title", "detail"]) assert.equal(typeof res.body[field], "string", field);
  }

  async function registerType(event: string): Promise<string> {
    const res = await call("PUT", `/v1/schemas/${domain}/${event}`, v1);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return `${domain}.${event}`;
  }

  describe("authentication", () => {
    it("answers 401 problem+json without a token and with a wrong one", async () => {
      const missing = await call("POST", "/v1/producers", { domain }, null);
      assertProblem(missing, 401);
      assert.equal(missing.headers.get("www-authenticate"), "Bearer");
      assertProblem(await call("POST", "/v1/producers", { domain }, `${adminToken}x`), 401);
      assertProblem(await call("POST", "/v1/producers", { domain }, "short"), 401);
    });

    it("leaves /healthz open and answers 404 and 405 problem+json for unknown paths and wrong methods", async () => {
      assert.equal((await call("GET", "/healthz", undefined, null)).status, 200);
      assertProblem(await call("GET", "/v1/nothing-here"), 404);
      const wrong = await call("DELETE", "/v1/producers");
      assertProblem(wrong, 405);
      assert.equal(wrong.headers.get("allow"), "POST");
    });

    it("answers /readyz 200 when Kafka and DynamoDB answer", async () => {
      const res = await call("GET", "/readyz", undefined, null);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.checks, { kafkaIngress: "ok", kafkaEgress: "ok", dynamodb: "ok" });
    });
  });

  describe("producers", () => {
    it("creates a producer: the key is shown once and stored only as its SHA-256, bound to the domain", async () => {
      const res = await call("POST", "/v1/producers", { domain });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ["apiKey", "domain", "producerId"]);
      assert.equal(res.body.domain, domain);
      assert.match(res.body.producerId, /^prd_[0-9a-f-]{36}$/);
      assert.match(res.body.apiKey, /^whpk_[A-Za-z0-9_-]{43}$/);
      const hash = createHash("sha256").update(res.body.apiKey).digest("hex");
      const stored = (await tables.doc.send(new GetCommand({ TableName: tableName("producerApiKey", tables.prefix), Key: { api_key_hash: hash } }))).Item as ProducerApiKeyItem;
      assert.equal(stored.domain, domain);
      assert.equal(stored.producer_id, res.body.producerId);
      assert.ok(!JSON.stringify(stored).includes(res.body.apiKey), "the key itself is not stored");
    });

    it("answers 400 naming the field when the domain is missing or not a name segment", async () => {
      const bad = await call("POST", "/v1/producers", { domain: "Orders.Things" });
      assertProblem(bad, 400);
      assert.equal(bad.body.errors[0].path, "/domain");
      const missing = await call("POST", "/v1/producers", {});
      assertProblem(missing, 400);
      assert.deepEqual(missing.body.errors.map((e: Json) => e.path), ["/domain"]);
    });
  });

  describe("schemas", () => {
    it("registers v1 with 201 and creates the ingress topic with the configured partitions and retention", async () => {
      const res = await call("PUT", `/v1/schemas/${domain}/invoiced`, v1);
      const topic = ingressTopic({ domain, event: "invoiced" });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { domain, event: "invoiced", version: 1, topic });
      const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(metadata.topics[0]!.partitions.length, 3);
      const configs = await kafkaAdmin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms"] }] });
      assert.equal(configs.resources[0]!.configEntries[0]!.configValue, String(topicKinds.ingress.retentionMs));
    });

    it("answers 200 with the same version when the body is identical to the latest", async () => {
      const res = await call("PUT", `/v1/schemas/${domain}/invoiced`, v1);
      assert.equal(res.status, 200);
      assert.equal(res.body.version, 1);
    });

    it("accepts v2 that adds an optional field with 201", async () => {
      const res = await call("PUT", `/v1/schemas/${domain}/invoiced`, v2Optional);
      assert.equal(res.status, 201);
      assert.equal(res.body.version, 2);
    });

    it("answers 409 listing the problems when v3 adds a required field", async () => {
      const res = await call("PUT", `/v1/schemas/${domain}/invoiced`, v3Required);
      assertProblem(res, 409);
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0);
      assert.ok(res.body.errors.some((e: Json) => /dueDate/.test(`${e.path} ${e.message}`)), JSON.stringify(res.body.errors));
      assert.match(res.body.detail, /BACKWARD/);
    });

    it("answers 400 when the body is not a valid draft-07 schema, and when it is not an object", async () => {
      const invalid = await call("PUT", `/v1/schemas/${domain}/invoiced`, { type: "objekt" });
      assertProblem(invalid, 400);
      assert.ok(invalid.body.errors.length > 0);
      const notObject = await call("PUT", `/v1/schemas/${domain}/invoiced`, [1, 2]);
      assertProblem(notObject, 400);
    });

    it("lists versions, mode and status with GET, and answers 404 for an unknown type", async () => {
      const res = await call("GET", `/v1/schemas/${domain}/invoiced`);
      assert.equal(res.status, 200);
      assert.equal(res.body.compatibility, "BACKWARD");
      assert.equal(res.body.latestActiveVersion, 2);
      assert.deepEqual(res.body.versions.map((v: Json) => [v.version, v.status]), [[1, "ACTIVE"], [2, "ACTIVE"]]);
      assert.deepEqual(res.body.versions[1].schema, v2Optional);
      assertProblem(await call("GET", `/v1/schemas/${domain}/unknown_event`), 404);
    });

    it("takes the compatibility mode of a new type from the query string, and refuses an unknown mode naming it", async () => {
      const bad = await call("PUT", `/v1/schemas/${domain}/loose?compatibility=SOMETIMES`, v1);
      assertProblem(bad, 400);
      assert.equal(bad.body.errors[0].path, "/compatibility");
      assert.equal((await call("PUT", `/v1/schemas/${domain}/loose?compatibility=NONE`, v1)).status, 201);
      const breaking = await call("PUT", `/v1/schemas/${domain}/loose`, v3Required);
      assert.equal(breaking.status, 201, JSON.stringify(breaking.body));
      assert.equal((await call("GET", `/v1/schemas/${domain}/loose`)).body.compatibility, "NONE");
    });

    it("answers 400 naming the path parameter when the domain is not a name segment", async () => {
      const res = await call("PUT", `/v1/schemas/Bad.Domain/invoiced`, v1);
      assertProblem(res, 400);
      assert.equal(res.body.errors[0].path, "/domain");
    });
  });

  describe("subscriptions", () => {
    it("creates a pending subscription with a whsec_ secret shown once, its egress topic and its Kafka item", async () => {
      const eventType = await registerType("paid");
      const partner = `acme_${randomUUID().slice(0, 8)}`;
      const res = await call("POST", `/v1/partners/${partner}/subscriptions`, { eventType, url: publicUrl });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.id, /^sub_[0-9a-f-]{36}$/);
      assert.equal(res.body.status, "pending");
      assert.match(res.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);

      const topic = egressTopic(partner, { domain, event: "paid" });
      const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(metadata.topics[0]!.partitions.length, 3);
      const kafkaItem = (await tables.doc.send(new GetCommand({ TableName: tableName("eventSubscriptionKafka", tables.prefix), Key: { subscription_id: res.body.id } }))).Item as SubscriptionKafkaItem;
      assert.equal(kafkaItem.topic, topic);
      const stored = (await tables.doc.send(new GetCommand({ TableName: tableName("partnerEventSubscription", tables.prefix), Key: { subscription_key: subscriptionKey(partner, eventType) } }))).Item as SubscriptionItem;
      assert.equal(stored.secrets[0]!.secret, res.body.secret);
      assert.equal(stored.url, publicUrl);
    });

    it("answers 409 when the partner already subscribes to the event type", async () => {
      const eventType = await registerType("refunded");
      const partner = `dup_${randomUUID().slice(0, 8)}`;
      assert.equal((await call("POST", `/v1/partners/${partner}/subscriptions`, { eventType, url: publicUrl })).status, 201);
      assertProblem(await call("POST", `/v1/partners/${partner}/subscriptions`, { eventType, url: `${publicUrl}/other` }), 409);
    });

    it("answers 404 for an event type without a schema", async () => {
      const res = await call("POST", `/v1/partners/acme/subscriptions`, { eventType: `${domain}.never_registered`, url: publicUrl });
      assertProblem(res, 404);
      assert.equal(res.body.errors[0].path, "/eventType");
    });

    it("answers 400 for a malformed URL or body and 422 for a refused URL, naming the field", async () => {
      const eventType = await registerType("shipped");
      const malformed = await call("POST", `/v1/partners/acme/subscriptions`, { eventType, url: "not a url" });
      assertProblem(malformed, 400);
      assert.equal(malformed.body.errors[0].path, "/url");
      const missing = await call("POST", `/v1/partners/acme/subscriptions`, { eventType });
      assertProblem(missing, 400);
      assert.deepEqual(missing.body.errors.map((e: Json) => e.path), ["/url"]);
      const badType = await call("POST", `/v1/partners/acme/subscriptions`, { eventType: "no-dot", url: publicUrl });
      assertProblem(badType, 400);
      assert.equal(badType.body.errors[0].path, "/eventType");
      for (const url of ["https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "http://93.184.215.14/hook"]) {
        const refused = await call("POST", `/v1/partners/acme/subscriptions`, { eventType, url });
        assertProblem(refused, 422);
        assert.equal(refused.body.errors[0].path, "/url");
      }
    });

    it("approves, rotates the secret (the old one expires in 24 h), cancels, and lists without secrets", async () => {
      const eventType = await registerType("settled");
      const partner = `flow_${randomUUID().slice(0, 8)}`;
      const created = await call("POST", `/v1/partners/${partner}/subscriptions`, { eventType, url: publicUrl });
      const id = created.body.id as string;

      const approved = await call("POST", `/v1/partners/${partner}/subscriptions/${id}/approve`);
      assert.equal(approved.status, 200);
      assert.equal(approved.body.status, "approved");

      const before = Date.now();
      const rotated = await call("POST", `/v1/partners/${partner}/subscriptions/${id}/rotate-secret`);
      assert.equal(rotated.status, 200);
      assert.match(rotated.body.secret, /^whsec_/);
      assert.notEqual(rotated.body.secret, created.body.secret);
      assert.equal(rotated.body.activeSecrets, 2);
      const stored = (await tables.doc.send(new GetCommand({ TableName: tableName("partnerEventSubscription", tables.prefix), Key: { subscription_key: subscriptionKey(partner, eventType) } }))).Item as SubscriptionItem;
      assert.equal(stored.secrets[0]!.secret, rotated.body.secret);
      assert.equal(stored.secrets[0]!.expires_at, undefined);
      assert.equal(stored.secrets[1]!.secret, created.body.secret);
      const expiry = Date.parse(stored.secrets[1]!.expires_at!);
      assert.ok(Math.abs(expiry - (before + 24 * 3600 * 1000)) < 60_000, stored.secrets[1]!.expires_at);

      const listed = await call("GET", `/v1/partners/${partner}/subscriptions`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.subscriptions.map((s: Json) => [s.id, s.status, s.eventType]), [[id, "approved", eventType]]);
      assert.ok(!listed.text.includes("whsec_"), "no secret in the list");

      const cancelled = await call("POST", `/v1/partners/${partner}/subscriptions/${id}/cancel`);
      assert.equal(cancelled.body.status, "cancelled");
      assertProblem(await call("POST", `/v1/partners/${partner}/subscriptions/${id}/approve`), 409);
      assertProblem(await call("POST", `/v1/partners/someone_else/subscriptions/${id}/approve`), 404);
    });
  });

  describe("deliveries", () => {
    it("answers per subscription the status and every attempt with time, status code, duration and error", async () => {
      const eventId = randomUUID();
      const item: DeliveryStatusItem = {
        event_id: eventId,
        subscription_id: "sub_00000000-0000-4000-8000-000000000001",
        partner_id: "acme",
        event_type: `${domain}.paid`,
        webhook_id: "msg_1",
        status: "retrying",
        attempts: [
          { attempt: 2, at: "2026-01-31T12:00:05Z", duration_ms: 15000, result: "timeout", error: "no response within 15000 ms" },
          { attempt: 1, at: "2026-01-31T12:00:00Z", status_code: 503, duration_ms: 42, result: "http_error", error: "receiver answered 503" },
        ],
        next_attempt_at: "2026-01-31T12:05:05Z",
        updated_at: "2026-01-31T12:00:20Z",
      };
      const other: DeliveryStatusItem = { ...item, subscription_id: "sub_00000000-0000-4000-8000-000000000002", status: "succeeded", attempts: [{ attempt: 1, at: "2026-01-31T12:00:00Z", status_code: 204, duration_ms: 12, result: "success" }] };
      delete other.next_attempt_at;
      for (const i of [item, other]) await tables.doc.send(new PutCommand({ TableName: tableName("eventDeliveryStatus", tables.prefix), Item: i }));

      const res = await call("GET", `/v1/events/${eventId}/deliveries`);
      assert.equal(res.status, 200);
      assert.equal(res.body.eventId, eventId);
      const [first, second] = res.body.deliveries as Json[];
      assert.equal(first!.status, "retrying");
      assert.equal(first!.nextAttemptAt, "2026-01-31T12:05:05Z");
      assert.deepEqual(first!.attempts, [
        { attempt: 1, at: "2026-01-31T12:00:00Z", statusCode: 503, durationMs: 42, result: "http_error", error: "receiver answered 503" },
        { attempt: 2, at: "2026-01-31T12:00:05Z", statusCode: null, durationMs: 15000, result: "timeout", error: "no response within 15000 ms" },
      ]);
      assert.equal(second!.status, "succeeded");
      assert.deepEqual(second!.attempts, [{ attempt: 1, at: "2026-01-31T12:00:00Z", statusCode: 204, durationMs: 12, result: "success", error: null }]);
    });

    it("answers 400 when the event id is not a UUID", async () => {
      const res = await call("GET", "/v1/events/not-a-uuid/deliveries");
      assertProblem(res, 400);
      assert.equal(res.body.errors[0].path, "/eventId");
    });
  });
});
