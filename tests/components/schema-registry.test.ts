import { resetResources, resourceNamed, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SchemaRegistry } from "../../components/schema-registry";
import { loadContracts } from "../../model/contracts";

const orderV1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: { orderId: { type: "string" } },
  required: ["orderId"],
};
const orderV2 = { ...orderV1, properties: { ...orderV1.properties, note: { type: "string" } } };
const refund = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { amount: { type: "number" } } };

describe("SchemaRegistry", () => {
  let dir: string;
  let registry: SchemaRegistry;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "contracts-"));
    const write = (rel: string, body: unknown) => {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), JSON.stringify(body));
    };
    write("orders/created/v1.json", orderV1);
    write("orders/created/v2.json", orderV2);
    write("payments/refunded/v1.json", refund);
    write("payments/refunded/contract.json", { compatibility: "FULL", containsSensitive: true, description: "Refunds" });

    resetResources();
    registry = new SchemaRegistry("schemas", { env: "prod", contracts: loadContracts(dir) });
    await settle();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates one Glue registry per environment", async () => {
    const registries = resourcesOfType("aws:glue/registry:Registry");
    assert.equal(registries.length, 1);
    assert.equal(registries[0]!.inputs.registryName, "webhooks-prod-schemas");
    assert.equal(await valueOf(registry.registryName), "webhooks-prod-schemas");
  });

  it("registers one JSON schema per contract, named by event type, in that registry", () => {
    const schemas = resourcesOfType("aws:glue/schema:Schema");
    assert.deepEqual(schemas.map((s) => s.inputs.schemaName).sort(), ["orders.created", "payments.refunded"]);
    for (const s of schemas) {
      assert.equal(s.inputs.dataFormat, "JSON");
      assert.equal(s.inputs.registryArn, "arn:aws:glue:us-east-1:123456789012:registry/webhooks-prod-schemas");
    }
  });

  it("uses BACKWARD compatibility when the contract does not say otherwise", () => {
    assert.equal(resourceNamed("aws:glue/schema:Schema", "webhooks-prod-schema-orders-created").inputs.compatibility, "BACKWARD");
  });

  it("takes the compatibility override from contract.json", () => {
    const refunded = resourceNamed("aws:glue/schema:Schema", "webhooks-prod-schema-payments-refunded").inputs;
    assert.equal(refunded.compatibility, "FULL");
    assert.equal(refunded.description, "Refunds");
    assert.equal(refunded.tags["contains-sensitive"], "true");
  });

  it("carries the latest contract version as the schema definition", () => {
    const created = resourceNamed("aws:glue/schema:Schema", "webhooks-prod-schema-orders-created").inputs;
    assert.deepEqual(JSON.parse(created.schemaDefinition), orderV2);
    assert.equal(created.tags["contract-version"], "2");
  });

  it("exposes schema ARNs by event type", async () => {
    assert.match(await valueOf(registry.schemaArns["orders.created"]!), /^arn:aws:glue:/);
  });
});
