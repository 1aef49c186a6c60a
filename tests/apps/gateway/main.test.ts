// apps/gateway/main.ts as a process: configuration faults stop it with exit 1 and a named
// variable; with a good configuration it serves, and SIGTERM ends it cleanly with exit 0.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Admin } from "kafkajs";
import { ingressTopic } from "../../../model/topics";
import { tableName } from "../../../model/tables";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { ensureTopic } from "../../../apps/shared/topic-admin";
import { ProducerRegistry } from "../../../apps/admin/producers";
import { dynamoEndpoint, kafka, kafkaBrokers } from "../../support/engines";
import { testTables, type TestTables } from "../shared/service-harness";
import { runServiceToExit, startService } from "../shared/spawn-service";

describe("gateway main.ts", () => {
  it("exits 1 naming KAFKA_INGRESS_BROKERS when it is missing", async () => {
    const { code, stderr } = await runServiceToExit("gateway", {});
    assert.equal(code, 1);
    assert.match(stderr, /KAFKA_INGRESS_BROKERS: is required: a comma-separated list of host:port/);
  });

  it("exits 1 naming each invalid variable and what is allowed", async () => {
    const { code, stderr } = await runServiceToExit("gateway", {
      KAFKA_INGRESS_BROKERS: "127.0.0.1:9092",
      IDEMPOTENCY_TTL_HOURS: "100",
      MAX_BODY_BYTES: "lots",
      KAFKA_AUTH: "plain",
      SCHEMA_REGISTRY: "confluent",
    });
    assert.equal(code, 1);
    assert.match(stderr, /IDEMPOTENCY_TTL_HOURS: "100" is not allowed \(above 72\); expected a whole number 24\.\.72/);
    assert.match(stderr, /MAX_BODY_BYTES: "lots" is not allowed/);
    assert.match(stderr, /KAFKA_AUTH: "plain" is not allowed .*none .*aws-iam/);
    assert.match(stderr, /SCHEMA_REGISTRY: "confluent" is not allowed .*local or glue/);
  });

  it("exits 1 naming GLUE_REGISTRY_NAME when SCHEMA_REGISTRY=glue without it", async () => {
    const { code, stderr } = await runServiceToExit("gateway", { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", SCHEMA_REGISTRY: "glue" });
    assert.equal(code, 1);
    assert.match(stderr, /GLUE_REGISTRY_NAME: is required/);
  });

  describe("with engines", () => {
    let tables: TestTables;
    let admin: Admin;

    before(async () => {
      tables = await testTables("gateway_main");
      admin = kafka("gateway-main-test").admin();
      await admin.connect();
    });
    after(async () => {
      await admin?.disconnect();
      await tables?.dispose();
    });

    it("serves events and ends with exit 0 on SIGTERM", async () => {
      const domain = tables.prefix.replace(/_$/, "");
      await new LocalSchemaRegistry(tables.doc, tables.prefix).register(domain, "started", { type: "object" });
      await ensureTopic(admin, ingressTopic({ domain, event: "started" }), "ingress", { partitions: 1, replicationFactor: 1 });
      const { apiKey } = await new ProducerRegistry(tables.doc, tableName("producerApiKey", tables.prefix)).create(domain);

      const proc = startService("gateway", {
        KAFKA_INGRESS_BROKERS: kafkaBrokers(),
        DYNAMODB_ENDPOINT: dynamoEndpoint(),
        TABLE_PREFIX: tables.prefix,
        PORT: "0",
        LISTEN_HOST: "127.0.0.1",
      });
      try {
        const line = await proc.waitForLine(/gateway listening/);
        const address = (JSON.parse(line) as { address: string }).address;
        const res = await fetch(`${address}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/cloudevents+json" },
          body: JSON.stringify({ specversion: "1.0", id: randomUUID(), source: "/main-test", type: `${domain}.started`, data: {} }),
        });
        assert.equal(res.status, 202, await res.clone().text());
        assert.equal((await fetch(`${address}/readyz`)).status, 200);
        proc.child.kill("SIGTERM");
        assert.equal(await proc.exited, 0);
        assert.match(proc.stdout(), /shutdown: flush and disconnect producer done/);
      } finally {
        proc.child.kill("SIGKILL");
      }
    });
  });
});
