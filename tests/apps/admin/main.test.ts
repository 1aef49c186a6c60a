// apps/admin/main.ts as a process: configuration faults stop it with exit 1 and a named
// variable; the admin token can come from Secrets Manager (moto here); SIGTERM ends it with 0.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { resolveAdminToken } from "../../../apps/admin/admin-token";
import { dynamoEndpoint, kafkaBrokers, localAwsClientConfig, motoEndpoint } from "../../support/engines";
import { testTables, type TestTables } from "../shared/service-harness";
import { runServiceToExit, startService } from "../shared/spawn-service";

const brokers = { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", KAFKA_EGRESS_BROKERS: "127.0.0.1:9092" };

describe("admin main.ts", () => {
  it("exits 1 naming ADMIN_TOKEN when neither it nor ADMIN_TOKEN_SECRET_ID is set", async () => {
    const { code, stderr } = await runServiceToExit("admin", brokers);
    assert.equal(code, 1);
    assert.match(stderr, /ADMIN_TOKEN: is required: set ADMIN_TOKEN .* or ADMIN_TOKEN_SECRET_ID/);
  });

  it("exits 1 naming each missing or invalid variable", async () => {
    const { code, stderr } = await runServiceToExit("admin", {
      ADMIN_TOKEN: "short",
      KAFKA_INGRESS_BROKERS: "127.0.0.1:9092",
      KAFKA_TOPIC_PARTITIONS: "0",
      DELIVERY_ALLOW_PRIVATE_TARGETS: "maybe",
    });
    assert.equal(code, 1);
    assert.match(stderr, /ADMIN_TOKEN: "short" is not allowed \(shorter than 16 characters\)/);
    assert.match(stderr, /KAFKA_EGRESS_BROKERS: is required/);
    assert.match(stderr, /KAFKA_TOPIC_PARTITIONS: "0" is not allowed \(below 1\)/);
    assert.match(stderr, /DELIVERY_ALLOW_PRIVATE_TARGETS: "maybe" is not allowed .*true or false/);
  });

  describe("admin token from Secrets Manager (moto)", () => {
    let secrets: SecretsManagerClient;
    let tables: TestTables;
    const token = `from-secrets-manager-${randomUUID()}`;
    const secretId = `webhooks/test/admin-token-${randomUUID()}`;

    before(async () => {
      secrets = new SecretsManagerClient(localAwsClientConfig(motoEndpoint()));
      await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: token }));
      tables = await testTables("admin_main");
    });
    after(async () => {
      secrets?.destroy();
      await tables?.dispose();
    });

    it("reads the token from the secret", async () => {
      assert.equal(await resolveAdminToken({ secretId, client: secrets }), token);
    });

    it("fails naming ADMIN_TOKEN_SECRET_ID and the secret when the secret does not exist", async () => {
      const missing = `${secretId}-missing`;
      await assert.rejects(resolveAdminToken({ secretId: missing, client: secrets }), (err: Error) => {
        assert.ok(err.message.startsWith(`ADMIN_TOKEN_SECRET_ID: reading secret ${missing} failed: ResourceNotFoundException`), err.message);
        return true;
      });
    });

    it("starts with ADMIN_TOKEN_SECRET_ID, admits that token only, and ends with exit 0 on SIGTERM", async () => {
      const proc = startService("admin", {
        ADMIN_TOKEN_SECRET_ID: secretId,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: motoEndpoint(),
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        KAFKA_INGRESS_BROKERS: kafkaBrokers(),
        KAFKA_EGRESS_BROKERS: kafkaBrokers(),
        KAFKA_REPLICATION_FACTOR: "1",
        DYNAMODB_ENDPOINT: dynamoEndpoint(),
        TABLE_PREFIX: tables.prefix,
        PORT: "0",
        LISTEN_HOST: "127.0.0.1",
      });
      try {
        const address = (JSON.parse(await proc.waitForLine(/admin API listening/)) as { address: string }).address;
        const post = (auth: string) =>
          fetch(`${address}/v1/producers`, { method: "POST", headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" }, body: JSON.stringify({ domain: "orders" }) });
        assert.equal((await post(token)).status, 201);
        assert.equal((await post("some-other-token-of-length")).status, 401);
        proc.child.kill("SIGTERM");
        assert.equal(await proc.exited, 0);
      } finally {
        proc.child.kill("SIGKILL");
      }
    });
  });
});
