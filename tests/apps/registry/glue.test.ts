// GlueSchemaRegistry against a moto server (Glue) and DynamoDB Local (event_schema metadata).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  DeleteRegistryCommand,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  GlueClient,
  RegisterSchemaVersionCommand,
} from "@aws-sdk/client-glue";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GlueSchemaRegistry } from "../../../apps/shared/registry/glue";
import { EventSchemaStore } from "../../../apps/shared/registry/metadata-store";
import { InvalidSchemaError, type RegisterOutcome } from "../../../apps/shared/registry/port";
import { createTables, deleteTables } from "../../../local/create-tables";
import { canonicalJson } from "../../../model/compatibility";
import { loadContracts } from "../../../model/contracts";
import { glueSchemaName } from "../../../model/glue";
import { dynamoClient, localAwsClientConfig, motoEndpoint, uniquePrefix } from "../../support/engines";

const v1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["paymentId", "amount"],
  properties: { paymentId: { type: "string" }, amount: { type: "integer", minimum: 0 } },
};
const withOptional = (name: string) => ({ ...v1, properties: { ...v1.properties, [name]: { type: "string" } } });

function created(outcome: RegisterOutcome) {
  assert.equal(outcome.kind, "created", JSON.stringify(outcome));
  return (outcome as Extract<RegisterOutcome, { kind: "created" }>).version;
}

describe("GlueSchemaRegistry on moto (Glue) and DynamoDB Local (metadata)", () => {
  const glue = new GlueClient(localAwsClientConfig(motoEndpoint()));
  const dynamo = dynamoClient();
  const documents = DynamoDBDocumentClient.from(dynamo);
  const prefix = uniquePrefix("registry_glue");
  const registryName = `webhooks-test-${prefix.replace(/_/g, "-")}`.replace(/-+$/, "");
  const registry = new GlueSchemaRegistry(glue, registryName, documents, { tablePrefix: prefix, pollIntervalMs: 20 });
  const store = new EventSchemaStore(documents, prefix);
  let n = 0;
  const domain = () => `g${++n}`;

  const glueSchema = (d: string, e: string) => glue.send(new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: glueSchemaName(d, e) } }));
  const glueVersion = (d: string, e: string, version: number) =>
    glue.send(new GetSchemaVersionCommand({ SchemaId: { RegistryName: registryName, SchemaName: glueSchemaName(d, e) }, SchemaVersionNumber: { VersionNumber: version } }));

  before(async () => {
    await createTables(dynamo, prefix);
    await glue.send(new CreateRegistryCommand({ RegistryName: registryName }));
  });
  after(async () => {
    await glue.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: registryName } }));
    await deleteTables(dynamo, prefix);
    dynamo.destroy();
    glue.destroy();
  });

  it("creates the Glue schema (JSON, the given mode) for v1 and records its SchemaVersionId in event_schema", async () => {
    const d = domain();
    const version = created(await registry.register(d, "settled", v1, { compatibility: "FULL", containsSensitive: true }));
    assert.equal(version.version, 1);
    const schema = await glueSchema(d, "settled");
    assert.deepEqual([schema.DataFormat, schema.Compatibility, schema.LatestSchemaVersion], ["JSON", "FULL", 1]);
    const inGlue = await glueVersion(d, "settled", 1);
    assert.equal(inGlue.SchemaDefinition, canonicalJson(v1));
    const item = await store.get(d, "settled", 1);
    assert.equal(item?.glue_schema_version_id, inGlue.SchemaVersionId);
    assert.equal(item?.contains_sensitive, "true");
  });

  it("registers a compatible v2 as Glue version 2, with matching ids on both sides", async () => {
    const d = domain();
    created(await registry.register(d, "settled", v1));
    assert.equal(created(await registry.register(d, "settled", withOptional("fee"))).version, 2);
    const inGlue = await glueVersion(d, "settled", 2);
    assert.deepEqual(JSON.parse(inGlue.SchemaDefinition!), withOptional("fee"));
    assert.equal((await store.get(d, "settled", 2))?.glue_schema_version_id, inGlue.SchemaVersionId);
    assert.deepEqual((await registry.listVersions(d, "settled")).map((v) => v.version), [1, 2]);
    assert.equal((await registry.latestActive(d, "settled"))?.version, 2);
  });

  it("answers identical for the same body and adds no Glue version", async () => {
    const d = domain();
    created(await registry.register(d, "settled", v1));
    assert.equal((await registry.register(d, "settled", structuredClone(v1))).kind, "identical");
    assert.equal((await glueSchema(d, "settled")).LatestSchemaVersion, 1);
  });

  it("refuses a breaking v2 before calling Glue (moto would accept it), naming the break", async () => {
    const d = domain();
    created(await registry.register(d, "settled", v1));
    const breaking = { ...v1, properties: { ...v1.properties, amount: { type: "string" } } };
    assert.deepEqual(await registry.register(d, "settled", breaking), {
      kind: "incompatible",
      mode: "BACKWARD",
      againstVersion: 1,
      problems: [{ path: "/properties/amount/type", message: "type changed from integer to string" }],
    });
    assert.equal((await glueSchema(d, "settled")).LatestSchemaVersion, 1);
  });

  it("throws InvalidSchemaError for a body that is not draft-07 and creates nothing in Glue", async () => {
    const d = domain();
    await assert.rejects(registry.register(d, "settled", { type: "object", required: "amount" }), InvalidSchemaError);
    await assert.rejects(glueSchema(d, "settled"), { name: "EntityNotFoundException" });
  });

  it("completes a registration that reached Glue but not event_schema (a crash between the writes)", async () => {
    const d = domain();
    created(await registry.register(d, "settled", v1));
    const orphan = withOptional("batch");
    const inGlue = await glue.send(
      new RegisterSchemaVersionCommand({ SchemaId: { RegistryName: registryName, SchemaName: glueSchemaName(d, "settled") }, SchemaDefinition: canonicalJson(orphan) }),
    );
    assert.deepEqual((await registry.listVersions(d, "settled")).map((v) => v.version), [1]);
    // The retry of the same registration reuses Glue's version instead of adding another.
    assert.equal(created(await registry.register(d, "settled", orphan)).version, 2);
    assert.equal((await store.get(d, "settled", 2))?.glue_schema_version_id, inGlue.SchemaVersionId);
    assert.equal((await glueSchema(d, "settled")).LatestSchemaVersion, 2);
  });

  it("links every version to the Glue version holding the same body when concurrent first registrations race", async () => {
    const d = domain();
    const outcomes = await Promise.all([registry.register(d, "settled", withOptional("a")), registry.register(d, "settled", withOptional("b"))]);
    assert.deepEqual(outcomes.map((o) => o.kind), ["created", "created"]);
    const versions = await registry.listVersions(d, "settled");
    assert.deepEqual(versions.map((v) => v.version), [1, 2]);
    assert.equal((await glueSchema(d, "settled")).LatestSchemaVersion, 2);
    for (const v of versions) {
      const id = (await store.get(d, "settled", v.version))?.glue_schema_version_id;
      const inGlue = await glue.send(new GetSchemaVersionCommand({ SchemaVersionId: id }));
      assert.deepEqual(JSON.parse(inGlue.SchemaDefinition!), v.schema, `v${v.version} differs from its Glue version`);
    }
  });

  it("seeds over a Glue schema that holds only the latest contract version (as the SchemaRegistry component leaves it)", async () => {
    const d = domain();
    const first = { ...v1, title: "contract v1" };
    const second = { ...withOptional("fee"), title: "contract v2" };
    // What `pulumi up` does on a fresh registry: one Glue schema holding the latest contract version.
    await glue.send(
      new CreateSchemaCommand({
        RegistryId: { RegistryName: registryName },
        SchemaName: glueSchemaName(d, "settled"),
        DataFormat: "JSON",
        Compatibility: "BACKWARD",
        SchemaDefinition: canonicalJson(second),
      }),
    );
    const contract = {
      domain: d,
      event: "settled",
      type: `${d}.settled`,
      compatibility: "BACKWARD" as const,
      containsSensitive: false,
      description: "",
      versions: [
        { version: 1, schema: first, file: `${d}/settled/v1.json` },
        { version: 2, schema: second, file: `${d}/settled/v2.json` },
      ],
    };
    assert.deepEqual(await registry.seedFromContracts([contract]), { created: [`${d}.settled v1`, `${d}.settled v2`], unchanged: 0 });
    // Our v2 is Glue's version 1 (registered by Pulumi); our v1 became Glue's version 2.
    assert.equal((await store.get(d, "settled", 2))?.glue_schema_version_id, (await glueVersion(d, "settled", 1)).SchemaVersionId);
    assert.equal((await store.get(d, "settled", 1))?.glue_schema_version_id, (await glueVersion(d, "settled", 2)).SchemaVersionId);
    assert.equal((await glueSchema(d, "settled")).LatestSchemaVersion, 2);
  });

  it("seeds contracts/ into Glue with matching version numbers, and a second run adds nothing", async () => {
    const contracts = loadContracts();
    const total = contracts.reduce((sum, c) => sum + c.versions.length, 0);
    assert.equal((await registry.seedFromContracts(contracts)).created.length, total);
    assert.deepEqual(await registry.seedFromContracts(contracts), { created: [], unchanged: total });
    const created = contracts.find((c) => c.type === "orders.created")!;
    assert.equal((await glueSchema("orders", "created")).LatestSchemaVersion, created.versions.length);
    assert.equal((await glueSchema("payments", "settled")).Compatibility, "FULL");
    const v2 = await glueVersion("orders", "created", 2);
    assert.deepEqual(JSON.parse(v2.SchemaDefinition!), created.versions[1]!.schema);
  });
});
