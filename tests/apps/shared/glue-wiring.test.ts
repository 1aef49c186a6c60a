// SCHEMA_REGISTRY=glue end to end through the processes: the admin API registers a schema in
// AWS Glue (a moto server here, through the SDK's AWS_ENDPOINT_URL_GLUE) and creates the
// ingress topic; the gateway validates against that schema and accepts the event.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { CreateRegistryCommand, GlueClient } from "@aws-sdk/client-glue";
import { dynamoEndpoint, kafkaBrokers, localAwsClientConfig, motoEndpoint } from "../../support/engines";
import { testTables, type TestTables } from "./service-harness";
import { startService, type ServiceProcess } from "./spawn-service";

describe("admin and gateway with SCHEMA_REGISTRY=glue (moto)", () => {
  let tables: TestTables;
  const registryName = `webhooks-test-${randomUUID().slice(0, 8)}`;
  const adminToken = `glue-wiring-token-${randomUUID()}`;
  const running: ServiceProcess[] = [];

  before(async () => {
    const glue = new GlueClient(localAwsClientConfig(motoEndpoint()));
    await glue.send(new CreateRegistryCommand({ RegistryName: registryName }));
    glue.destroy();
    tables = await testTables("glue_wiring");
  });
  after(async () => {
    for (const p of running) {
      p.child.kill("SIGTERM");
      await p.exited;
    }
    await tables?.dispose();
  });

  function start(service: "gateway" | "admin", extra: Record<string, string>): ServiceProcess {
    const proc = startService(service, {
      SCHEMA_REGISTRY: "glue",
      GLUE_REGISTRY_NAME: registryName,
      AWS_ENDPOINT_URL_GLUE: motoEndpoint(),
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      KAFKA_INGRESS_BROKERS: kafkaBrokers(),
      DYNAMODB_ENDPOINT: dynamoEndpoint(),
      TABLE_PREFIX: tables.prefix,
      PORT: "0",
      LISTEN_HOST: "127.0.0.1",
      ...extra,
    });
    running.push(proc);
    return proc;
  }

  it("registers through the admin API into Glue and the gateway validates against it", async () => {
    const domain = tables.prefix.replace(/_$/, "");
    const admin = start("admin", { ADMIN_TOKEN: adminToken, KAFKA_EGRESS_BROKERS: kafkaBrokers(), KAFKA_REPLICATION_FACTOR: "1", KAFKA_TOPIC_PARTITIONS: "1" });
    const adminUrl = (JSON.parse(await admin.waitForLine(/admin API listening/)) as { address: string }).address;
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${adminUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    const schema = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", required: ["sku"], properties: { sku: { type: "string" } } };
    const put = await call("PUT", `/v1/schemas/${domain}/stocked`, schema);
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal((await put.json() as { version: number }).version, 1);
    const again = await call("PUT", `/v1/schemas/${domain}/stocked`, schema);
    assert.equal(again.status, 200);
    const producer = (await (await call("POST", "/v1/producers", { domain })).json()) as { apiKey: string };

    const gateway = start("gateway", {});
    const gatewayUrl = (JSON.parse(await gateway.waitForLine(/gateway listening/)) as { address: string }).address;
    const send = (data: unknown) =>
      fetch(`${gatewayUrl}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${producer.apiKey}`, "content-type": "application/cloudevents+json" },
        body: JSON.stringify({ specversion: "1.0", id: randomUUID(), source: "/glue", type: `${domain}.stocked`, data }),
      });
    const ok = await send({ sku: "A-1" });
    assert.equal(ok.status, 202, await ok.clone().text());
    const bad = await send({ sku: 7 });
    assert.equal(bad.status, 422);
    assert.deepEqual(((await bad.json()) as { errors: unknown[] }).errors, [{ path: "/data/sku", message: "must be string" }]);
  });
});
