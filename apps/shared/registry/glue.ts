// The schema registry on AWS Glue Schema Registry: one Glue schema per event type, named by
// model/glue.ts (`{domain}.{event}`), DataFormat JSON, in the environment's registry. Glue holds
// the versions; event_schema holds the same versions' metadata and body, with the Glue
// SchemaVersionId, so the gateway's reads are DynamoDB reads and never meet Glue's API limits.
//
// Version numbers are ours (event_schema, the same as contracts/), not Glue's: the SchemaRegistry
// component registers only the LATEST contract version in a fresh Glue registry, so Glue's
// numbering may differ; glue_schema_version_id is the link.
//
// Compatibility is checked with model/compatibility.ts before Glue is called, so a break is
// refused with named problems (and moto, which the tests use, checks nothing). In AWS Glue runs
// its own check too; a version Glue refuses (status FAILURE) is answered as incompatible.
//
// Crash safety: Glue answers a definition it already holds with that version's id instead of
// adding one, so a registration that reached Glue but not event_schema completes on retry.

import {
  AlreadyExistsException,
  CreateSchemaCommand,
  EntityNotFoundException,
  GetSchemaVersionCommand,
  RegisterSchemaVersionCommand,
  type GetSchemaVersionCommandOutput,
  type GlueClient,
  type SchemaId,
} from "@aws-sdk/client-glue";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { setTimeout as sleep } from "node:timers/promises";
import { canonicalJson } from "../../../model/compatibility";
import { glueSchemaName } from "../../../model/glue";
import { EventSchemaStore, itemToSchemaVersion } from "./metadata-store";
import type { RegisterOutcome } from "./port";
import type { NewVersionPlan } from "./registration";
import { StoredSchemaRegistry } from "./stored-registry";

export interface GlueSchemaRegistryOptions {
  /** Prefix of the event_schema table name. */
  tablePrefix?: string;
  /** How often to ask Glue whether a PENDING version is decided. Default 250 ms. */
  pollIntervalMs?: number;
  /** How long to wait for Glue to decide a version. Default 30 s. */
  pollTimeoutMs?: number;
}

function isError(err: unknown, type: { new (...args: never[]): Error; name: string }): boolean {
  return err instanceof type || (err as Error | undefined)?.name === type.name;
}

interface GlueVersionRef {
  schemaVersionId: string;
  versionNumber: number;
}

export class GlueSchemaRegistry extends StoredSchemaRegistry {
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;

  constructor(
    private readonly glue: GlueClient,
    private readonly registryName: string,
    documents: DynamoDBDocumentClient,
    options: GlueSchemaRegistryOptions = {},
  ) {
    super(new EventSchemaStore(documents, options.tablePrefix ?? ""));
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 30_000;
  }

  /** The Glue schema that holds an event type's versions. */
  schemaId(domain: string, event: string): SchemaId {
    return { RegistryName: this.registryName, SchemaName: glueSchemaName(domain, event) };
  }

  protected async persist(plan: NewVersionPlan): Promise<RegisterOutcome> {
    const { schemaVersionId, versionNumber } = await this.putInGlue(plan);
    const decided = await this.waitForDecision(this.schemaId(plan.domain, plan.event), versionNumber);
    if (decided.Status === "FAILURE") {
      return {
        kind: "incompatible",
        mode: plan.compatibility,
        againstVersion: plan.version - 1,
        problems: [{ path: "", message: `AWS Glue refused the version under its compatibility rules (status FAILURE of ${schemaVersionId})` }],
      };
    }
    // VersionTakenError (a concurrent registration stored this number first) makes the caller decide again.
    const item = await this.store.insert({ ...plan, glueSchemaVersionId: schemaVersionId });
    return { kind: "created", version: itemToSchemaVersion(item) };
  }

  /** Adds the definition to the event type's Glue schema, creating the schema for its first version. */
  private async putInGlue(plan: NewVersionPlan): Promise<GlueVersionRef> {
    const schemaId = this.schemaId(plan.domain, plan.event);
    const definition = canonicalJson(plan.schema);
    const register = async (): Promise<GlueVersionRef> => {
      const registered = await this.glue.send(new RegisterSchemaVersionCommand({ SchemaId: schemaId, SchemaDefinition: definition }));
      return { schemaVersionId: registered.SchemaVersionId!, versionNumber: registered.VersionNumber! };
    };
    try {
      return await register();
    } catch (err) {
      if (!isError(err, EntityNotFoundException)) throw err;
    }
    try {
      const created = await this.glue.send(
        new CreateSchemaCommand({
          RegistryId: { RegistryName: this.registryName },
          SchemaName: schemaId.SchemaName,
          DataFormat: "JSON",
          Compatibility: plan.compatibility,
          SchemaDefinition: definition,
        }),
      );
      // A new Glue schema holds one version, its first.
      return { schemaVersionId: created.SchemaVersionId!, versionNumber: created.LatestSchemaVersion ?? 1 };
    } catch (err) {
      // A concurrent registration created the Glue schema in between: add the version to it.
      if (isError(err, AlreadyExistsException)) return register();
      throw err;
    }
  }

  /**
   * Glue checks compatibility asynchronously: wait until the version is AVAILABLE or FAILURE.
   * Asked by schema and version number, not by SchemaVersionId: IAM can scope the former to
   * the registry's schema ARNs, while a lookup by version id is authorized only on `*`.
   */
  private async waitForDecision(schemaId: SchemaId, versionNumber: number): Promise<GetSchemaVersionCommandOutput> {
    const deadline = Date.now() + this.pollTimeoutMs;
    for (;;) {
      const version = await this.glue.send(new GetSchemaVersionCommand({ SchemaId: schemaId, SchemaVersionNumber: { VersionNumber: versionNumber } }));
      if (version.Status !== "PENDING") return version;
      if (Date.now() > deadline) {
        throw new Error(`AWS Glue left ${schemaId.SchemaName} version ${versionNumber} PENDING for more than ${this.pollTimeoutMs} ms`);
      }
      await sleep(this.pollIntervalMs);
    }
  }
}
