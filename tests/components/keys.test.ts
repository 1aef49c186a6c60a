import { resetResources, resourceNamed, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { keyPurposes, Keys } from "../../components/keys";

describe("Keys", () => {
  let keys: Keys;
  before(async () => {
    resetResources();
    keys = new Keys("keys", { env: "dev", region: "us-east-1" });
    await settle();
  });

  it("creates one customer-managed key per purpose, with yearly rotation", () => {
    const created = resourcesOfType("aws:kms/key:Key");
    assert.deepEqual(created.map((k) => k.name).sort(), keyPurposes.map((p) => `webhooks-dev-${p}-key`).sort());
    for (const k of created) {
      assert.equal(k.inputs.enableKeyRotation, true);
      assert.equal(k.inputs.rotationPeriodInDays, 365);
    }
  });

  it("gives every key an alias", () => {
    const aliases = resourcesOfType("aws:kms/alias:Alias");
    assert.deepEqual(aliases.map((a) => a.inputs.name).sort(), keyPurposes.map((p) => `alias/webhooks-dev-${p}-key`).sort());
    assert.equal(resourceNamed("aws:kms/alias:Alias", "webhooks-dev-kafka-key").inputs.targetKeyId, "webhooks-dev-kafka-key-key-id");
  });

  it("lets the CloudWatch Logs service use the logs key for this account's log groups only", () => {
    const policy = JSON.parse(resourceNamed("aws:kms/key:Key", "webhooks-dev-logs-key").inputs.policy);
    const logs = policy.Statement.find((s: { Principal: { Service?: string } }) => s.Principal.Service === "logs.us-east-1.amazonaws.com");
    assert.ok(logs, "no statement for logs.us-east-1.amazonaws.com");
    assert.ok(logs.Action.includes("kms:GenerateDataKey*"));
    assert.equal(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"], "arn:aws:logs:us-east-1:123456789012:log-group:*");
  });

  it("admits no service principal on the other keys: the account administers them through IAM", () => {
    for (const purpose of keyPurposes.filter((p) => p !== "logs")) {
      const policy = JSON.parse(resourceNamed("aws:kms/key:Key", `webhooks-dev-${purpose}-key`).inputs.policy);
      assert.deepEqual(
        policy.Statement.map((s: { Principal: unknown }) => s.Principal),
        [{ AWS: "arn:aws:iam::123456789012:root" }],
      );
    }
  });

  it("exposes the key ARNs by purpose", async () => {
    assert.equal(await valueOf(keys.arns.dynamodb), "arn:aws:kms:us-east-1:123456789012:key/webhooks-dev-dynamodb-key");
  });
});
