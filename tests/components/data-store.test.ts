import { optionsOf, recordOptions, resetResources, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DataStore, type DataStoreArgs } from "../../components/data-store";
import { tableIds, tables } from "../../model/tables";

const dynamodbKeyArn = "arn:aws:kms:us-east-1:123456789012:key/dynamodb";

async function build(overrides: Partial<DataStoreArgs>): Promise<DataStore> {
  resetResources();
  const store = new DataStore(
    "data",
    { env: "dev", billing: { mode: "onDemand" }, dynamodbKeyArn, deletionProtection: false, ...overrides },
    { transformations: [recordOptions] },
  );
  await settle();
  return store;
}

const tableInputs = (name: string) => {
  const found = resourcesOfType("aws:dynamodb/table:Table").find((t) => t.inputs.name === name);
  assert.ok(found, `table ${name} was not created`);
  return found.inputs;
};

describe("DataStore on demand", () => {
  let store: DataStore;
  before(async () => {
    store = await build({});
  });

  it("creates every table of the model under its blueprint name", () => {
    assert.deepEqual(
      resourcesOfType("aws:dynamodb/table:Table").map((t) => t.inputs.name).sort(),
      tableIds.map((id) => tables[id].name).sort(),
    );
  });

  it("keys each table as the model says, declaring every key attribute with its type", () => {
    const delivery = tableInputs("event_delivery_status");
    assert.equal(delivery.hashKey, "event_id");
    assert.equal(delivery.rangeKey, "subscription_id");
    const schema = tableInputs("event_schema");
    assert.equal(schema.hashKey, "schema_id");
    assert.deepEqual(
      schema.attributes.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
      [
        { name: "contains_sensitive", type: "S" },
        { name: "event_type", type: "S" },
        { name: "schema_id", type: "S" },
        { name: "status", type: "S" },
        { name: "version", type: "N" },
      ],
    );
  });

  it("builds the GSIs with their key schemas and projections", () => {
    const gsis = tableInputs("event_schema").globalSecondaryIndexes;
    const byName = Object.fromEntries(gsis.map((g: { name: string }) => [g.name, g]));
    assert.deepEqual(Object.keys(byName).sort(), ["contains_sensitive-index", "event_type-index", "status-index"]);
    assert.deepEqual(byName["status-index"].keySchemas, [
      { attributeName: "status", keyType: "HASH" },
      { attributeName: "schema_id", keyType: "RANGE" },
    ]);
    assert.equal(byName["status-index"].projectionType, "ALL");
    assert.equal(byName["contains_sensitive-index"].projectionType, "KEYS_ONLY");
    const subscriptionIdIndex = tableInputs("partner_event_subscription").globalSecondaryIndexes.find(
      (g: { name: string }) => g.name === "subscription_id-index",
    );
    assert.deepEqual(subscriptionIdIndex.keySchemas, [{ attributeName: "subscription_id", keyType: "HASH" }]);
  });

  it("turns point-in-time recovery on and encrypts every table with the dynamodb CMK", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.equal(t.inputs.pointInTimeRecovery.enabled, true, t.inputs.name);
      assert.deepEqual(t.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: dynamodbKeyArn }, t.inputs.name);
    }
  });

  it("sets TTL on the idempotency ledger only", () => {
    assert.deepEqual(tableInputs("idempotency_ledger").ttl, { enabled: true, attributeName: "expires_at" });
    const withTtl = resourcesOfType("aws:dynamodb/table:Table").filter((t) => t.inputs.ttl !== undefined);
    assert.deepEqual(withTtl.map((t) => t.inputs.name), ["idempotency_ledger"]);
  });

  it("bills per request without capacity or autoscaling", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(t.inputs.readCapacity, undefined);
    }
    assert.equal(resourcesOfType("aws:appautoscaling/target:Target").length, 0);
  });

  it("leaves deletion protection off outside prod", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, false);
  });

  it("exposes table names and ARNs by table id", async () => {
    assert.equal(await valueOf(store.tableNames.idempotencyLedger), "idempotency_ledger");
    assert.equal(await valueOf(store.tableArns.eventSchema), "arn:aws:dynamodb:us-east-1:123456789012:table/event_schema");
  });
});

describe("DataStore provisioned with autoscaling, in prod", () => {
  before(async () => {
    await build({
      env: "prod",
      deletionProtection: true,
      billing: { mode: "provisioned", readCapacity: { min: 5, max: 500 }, writeCapacity: { min: 10, max: 1000 }, targetUtilizationPercent: 70 },
    });
  });

  it("turns deletion protection on", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, true);
  });

  it("provisions the minimum capacity on tables and indexes and lets autoscaling own it afterwards", () => {
    const t = tableInputs("partner_event_subscription");
    assert.equal(t.billingMode, "PROVISIONED");
    assert.equal(t.readCapacity, 5);
    assert.equal(t.writeCapacity, 10);
    for (const g of t.globalSecondaryIndexes) {
      assert.equal(g.readCapacity, 5);
      assert.equal(g.writeCapacity, 10);
    }
    const table = resourcesOfType("aws:dynamodb/table:Table").find((r) => r.inputs.name === "partner_event_subscription")!;
    assert.deepEqual(optionsOf(table.type, table.name).ignoreChanges, [
      "readCapacity",
      "writeCapacity",
      "globalSecondaryIndexes[*].readCapacity",
      "globalSecondaryIndexes[*].writeCapacity",
    ]);
  });

  it("scales reads and writes of every table and every GSI with target tracking", () => {
    const targets = resourcesOfType("aws:appautoscaling/target:Target");
    const indexCount = tableIds.reduce((n, id) => n + tables[id].indexes.length, 0);
    assert.equal(targets.length, 2 * (tableIds.length + indexCount));
    const ids = targets.map((t) => `${t.inputs.resourceId} ${t.inputs.scalableDimension}`);
    assert.ok(ids.includes("table/event_schema dynamodb:table:ReadCapacityUnits"));
    assert.ok(ids.includes("table/event_schema dynamodb:table:WriteCapacityUnits"));
    assert.ok(ids.includes("table/event_schema/index/status-index dynamodb:index:ReadCapacityUnits"));
    assert.ok(ids.includes("table/producer_api_key/index/producer_id-index dynamodb:index:WriteCapacityUnits"));
    const write = targets.find((t) => t.inputs.scalableDimension === "dynamodb:table:WriteCapacityUnits")!;
    assert.equal(write.inputs.minCapacity, 10);
    assert.equal(write.inputs.maxCapacity, 1000);

    const policies = resourcesOfType("aws:appautoscaling/policy:Policy");
    assert.equal(policies.length, targets.length);
    for (const p of policies) {
      assert.equal(p.inputs.policyType, "TargetTrackingScaling");
      assert.equal(p.inputs.targetTrackingScalingPolicyConfiguration.targetValue, 70);
      const metric = p.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType;
      assert.equal(metric, p.inputs.scalableDimension.endsWith("ReadCapacityUnits") ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization");
    }
  });
});
