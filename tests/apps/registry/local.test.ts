// LocalSchemaRegistry on DynamoDB Local: every version an item in event_schema.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { LocalSchemaRegistry } from "../../../apps/shared/registry/local";
import { EventSchemaStore, VersionTakenError } from "../../../apps/shared/registry/metadata-store";
import { InvalidSchemaError, RegistrationConflictError, type RegisterOutcome } from "../../../apps/shared/registry/port";
import { SeedError } from "../../../apps/shared/registry/seed";
import { createTables, deleteTables } from "../../../local/create-tables";
import { schemaFingerprint } from "../../../model/compatibility";
import { loadContracts } from "../../../model/contracts";
import type { EventSchemaItem } from "../../../model/records";
import { schemaId, tableName } from "../../../model/tables";
import { dynamoClient, uniquePrefix } from "../../support/engines";

const v1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["orderId", "amount"],
  properties: { orderId: { type: "string" }, amount: { type: "integer", minimum: 0 } },
};
const withOptional = (name: string, schema: Record<string, unknown> = { type: "string" }) => ({
  ...v1,
  properties: { ...v1.properties, [name]: schema },
});

function created(outcome: RegisterOutcome) {
  assert.equal(outcome.kind, "created", JSON.stringify(outcome));
  return (outcome as Extract<RegisterOutcome, { kind: "created" }>).version;
}

describe("LocalSchemaRegistry on DynamoDB Local", () => {
  const client = dynamoClient();
  const documents = DynamoDBDocumentClient.from(client);
  const prefix = uniquePrefix("registry_local");
  const registry = new LocalSchemaRegistry(documents, prefix);
  let n = 0;
  /** A fresh domain per test, so tests share the table but not event types. */
  const domain = () => `d${++n}`;

  before(() => createTables(client, prefix));
  after(async () => {
    await deleteTables(client, prefix);
    client.destroy();
  });

  it("stores the first version as v1, ACTIVE, with the canonical body and fingerprint in event_schema", async () => {
    const d = domain();
    const version = created(await registry.register(d, "created", v1, { containsSensitive: true }));
    assert.deepEqual(
      { version: version.version, status: version.status, compatibility: version.compatibility, containsSensitive: version.containsSensitive },
      { version: 1, status: "ACTIVE", compatibility: "BACKWARD", containsSensitive: true },
    );
    const item = (await documents.send(new GetCommand({ TableName: tableName("eventSchema", prefix), Key: { schema_id: schemaId(d, "created", 1) } })))
      .Item as EventSchemaItem;
    assert.equal(item.event_type, `${d}.created`);
    assert.equal(item.contains_sensitive, "true");
    assert.equal(item.fingerprint, schemaFingerprint(v1));
    assert.deepEqual(JSON.parse(item.schema), v1);
    assert.equal(item.glue_schema_version_id, undefined);
  });

  it("answers identical for the same body with keys in another order, storing nothing", async () => {
    const d = domain();
    created(await registry.register(d, "created", v1));
    const reordered = { properties: v1.properties, required: v1.required, type: "object", $schema: v1.$schema };
    const outcome = await registry.register(d, "created", reordered);
    assert.equal(outcome.kind, "identical");
    assert.equal((await registry.listVersions(d, "created")).length, 1);
  });

  it("stores a compatible v2 (added optional property) and lists versions ascending", async () => {
    const d = domain();
    created(await registry.register(d, "created", v1));
    assert.equal(created(await registry.register(d, "created", withOptional("note"))).version, 2);
    assert.deepEqual((await registry.listVersions(d, "created")).map((v) => v.version), [1, 2]);
    assert.equal((await registry.getVersion(d, "created", 2))?.schema.properties !== undefined, true);
  });

  it("answers incompatible when v2 adds a required field, naming it, and stores nothing", async () => {
    const d = domain();
    created(await registry.register(d, "created", v1));
    const breaking = { ...withOptional("currency"), required: [...v1.required, "currency"] };
    assert.deepEqual(await registry.register(d, "created", breaking), {
      kind: "incompatible",
      mode: "BACKWARD",
      againstVersion: 1,
      problems: [{ path: "/required", message: "required property 'currency' added" }],
    });
    assert.equal((await registry.listVersions(d, "created")).length, 1);
  });

  it("keeps the subject's mode from its first version: FULL refuses a widened enum later", async () => {
    const d = domain();
    const withEnum = withOptional("method", { type: "string", enum: ["card", "wallet"] });
    created(await registry.register(d, "settled", withEnum, { compatibility: "FULL" }));
    const widened = withOptional("method", { type: "string", enum: ["card", "wallet", "crypto"] });
    const outcome = await registry.register(d, "settled", widened, { compatibility: "NONE" });
    assert.deepEqual(outcome, {
      kind: "incompatible",
      mode: "FULL",
      againstVersion: 1,
      problems: [{ path: "/properties/method/enum", message: "enum widened: 'crypto' now allowed" }],
    });
  });

  it("checks against every earlier version, not only the latest", async () => {
    const d = domain();
    created(await registry.register(d, "created", withOptional("note", { type: "string" })));
    created(await registry.register(d, "created", v1)); // drops the optional note: fine
    const outcome = await registry.register(d, "created", withOptional("note", { type: "integer" }));
    assert.deepEqual(outcome, {
      kind: "incompatible",
      mode: "BACKWARD",
      againstVersion: 1,
      problems: [{ path: "/properties/note/type", message: "type changed from string to integer" }],
    });
  });

  it("throws InvalidSchemaError with the fault's location for a body that is not draft-07", async () => {
    const d = domain();
    await assert.rejects(
      registry.register(d, "created", { type: "object", properties: { amount: { type: "money" } } }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidSchemaError);
        assert.equal(err.problems[0]?.path, "/properties/amount/type");
        return true;
      },
    );
    assert.deepEqual(await registry.listVersions(d, "created"), []);
  });

  it("refuses an event name that is not a name segment", async () => {
    await assert.rejects(registry.register("orders", "Created.V1", v1), /invalid event name "Created.V1"/);
  });

  it("answers latestActive with the newest ACTIVE version, skipping INACTIVE ones", async () => {
    const d = domain();
    created(await registry.register(d, "created", v1));
    created(await registry.register(d, "created", withOptional("note")));
    await documents.send(
      new UpdateCommand({
        TableName: tableName("eventSchema", prefix),
        Key: { schema_id: schemaId(d, "created", 2) },
        UpdateExpression: "SET #s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "INACTIVE" },
      }),
    );
    assert.equal((await registry.latestActive(d, "created"))?.version, 1);
    assert.equal(await registry.latestActive(d, "unknown"), undefined);
    assert.equal(await registry.getVersion(d, "created", 9), undefined);
  });

  it("never lets two writers store the same version number (conditional put)", async () => {
    const d = domain();
    const store = new EventSchemaStore(documents, prefix);
    const item = { domain: d, event: "created", version: 1, compatibility: "BACKWARD" as const, containsSensitive: false };
    await store.insert({ ...item, schema: v1 });
    await assert.rejects(store.insert({ ...item, schema: withOptional("other") }), VersionTakenError);
    assert.equal((await store.get(d, "created", 1))?.fingerprint, schemaFingerprint(v1));
  });

  it("gives concurrent registrations of different bodies distinct, gap-free version numbers", async () => {
    const d = domain();
    created(await registry.register(d, "created", v1));
    const bodies = ["a", "b", "c", "d", "e"].map((name) => withOptional(`field_${name}`));
    const outcomes = await Promise.allSettled(bodies.map((body) => registry.register(d, "created", body)));
    const stored = await registry.listVersions(d, "created");
    const winners = outcomes.filter((o) => o.status === "fulfilled" && o.value.kind === "created");
    for (const o of outcomes) {
      if (o.status === "rejected") assert.ok(o.reason instanceof RegistrationConflictError, String(o.reason));
    }
    assert.ok(winners.length >= 1);
    assert.deepEqual(stored.map((v) => v.version), Array.from({ length: winners.length + 1 }, (_, i) => i + 1));
    assert.equal(new Set(stored.map((v) => v.fingerprint)).size, stored.length, "two versions hold the same body");
  });

  it("stores one version when the same body is registered concurrently; the others answer identical", async () => {
    const d = domain();
    const body = withOptional("x");
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => registry.register(d, "created", body)));
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ["created", "identical", "identical", "identical"]);
    assert.deepEqual((await registry.listVersions(d, "created")).map((v) => v.version), [1]);
  });

  it("seeds contracts/ as their own version numbers, and a second run adds nothing", async () => {
    const seededPrefix = uniquePrefix("registry_seed");
    await createTables(client, seededPrefix);
    try {
      const seeded = new LocalSchemaRegistry(documents, seededPrefix);
      const contracts = loadContracts();
      const total = contracts.reduce((sum, c) => sum + c.versions.length, 0);
      const first = await seeded.seedFromContracts(contracts);
      assert.equal(first.created.length, total);
      assert.ok(first.created.includes("orders.created v2"));
      const second = await seeded.seedFromContracts(contracts);
      assert.deepEqual(second, { created: [], unchanged: total });
      const settled = await seeded.listVersions("payments", "settled");
      assert.deepEqual(settled.map((v) => [v.version, v.compatibility, v.containsSensitive]), [
        [1, "FULL", true],
        [2, "FULL", true],
      ]);
      // A contract file edited after registration stops the seeding with the file named.
      const edited = contracts.map((c) =>
        c.type !== "orders.cancelled" ? c : { ...c, versions: [{ ...c.versions[0]!, schema: { ...c.versions[0]!.schema, title: "edited" } }] },
      );
      await assert.rejects(seeded.seedFromContracts(edited), (err: unknown) => {
        assert.ok(err instanceof SeedError);
        assert.match(err.message, /^contracts\/orders\/cancelled\/v1\.json: differs from the registered orders\.cancelled v1/);
        return true;
      });
    } finally {
      await deleteTables(client, seededPrefix);
    }
  });
});
