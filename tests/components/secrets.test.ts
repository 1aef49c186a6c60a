import { isSecretInput, optionsOf, plainInput, recordOptions, resetResources, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Secrets } from "../../components/secrets";
import { secretIds, secrets } from "../../model/secrets";

const secretsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/secrets";

describe("Secrets", () => {
  let component: Secrets;
  before(async () => {
    resetResources();
    component = new Secrets("secrets", { env: "staging", secretsKeyArn }, { transformations: [recordOptions] });
    await settle();
  });

  it("creates every secret of the model as webhooks/{env}/{name}, encrypted with the secrets CMK", () => {
    const created = resourcesOfType("aws:secretsmanager/secret:Secret");
    assert.deepEqual(created.map((s) => s.inputs.name).sort(), secretIds.map((id) => `webhooks/staging/${secrets[id].name}`).sort());
    for (const s of created) assert.equal(s.inputs.kmsKeyId, secretsKeyArn);
  });

  it("writes a generated initial value of the model's length through the write-only field, pinned to version 1", () => {
    const versions = resourcesOfType("aws:secretsmanager/secretVersion:SecretVersion");
    assert.equal(versions.length, secretIds.length);
    const admin = versions.find((v) => v.inputs.secretId === "webhooks-staging-secret-admin-token-id");
    assert.ok(admin);
    assert.equal(plainInput<string>(admin.inputs.secretStringWo).length, secrets.adminToken.generatedLength);
    assert.equal(admin.inputs.secretStringWoVersion, 1);
    assert.equal(admin.inputs.secretString, undefined, "the value must not go into the stored secretString field");
  });

  it("never rewrites the value after creation, so a later run's fresh random value does not rotate it", () => {
    for (const v of resourcesOfType("aws:secretsmanager/secretVersion:SecretVersion")) {
      assert.deepEqual(optionsOf(v.type, v.name).ignoreChanges, ["secretStringWo"]);
    }
  });

  it("marks the generated value as a Pulumi secret", () => {
    for (const v of resourcesOfType("aws:secretsmanager/secretVersion:SecretVersion")) assert.ok(isSecretInput(v.inputs.secretStringWo));
  });

  it("keeps deleted secrets recoverable for 7 days outside prod", () => {
    for (const s of resourcesOfType("aws:secretsmanager/secret:Secret")) assert.equal(s.inputs.recoveryWindowInDays, 7);
  });

  it("exposes secret ARNs by secret id", async () => {
    assert.match(await valueOf(component.arns.adminToken), /^arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks\/staging\/admin-token-/);
  });
});
