// The schema registry on AWS Glue Schema Registry: one Glue schema per event type, named by
// model/glue.ts (`{domain}.{event}`), DataFormat JSON, in the environment's registry. Glue holds the versions;
// event_schema holds the same versions' metadata and body (with glue_schema_version_id), so
// the gateway's reads are DynamoDB reads and never meet Glue's API rate limits.
//
// Compatibility is checked with model/compatibility.ts before Glue is called, so a break is
// refused with named problems (and moto, which the tests use, checks nothing). Glue is given
// the same mode name; in AWS it runs its own check too, and a version Glue refuses (status
// FAILURE) is answered as incompatible.
//
// Crash safety: a version can exist in Glue without its event_schema item (a crash between the
// two writes). Every registration first copies such versions into event_schema (catchUp), and
// Glue answers a definition it already holds with that version, so a retry completes the write.

import {
  AlreadyExistsException,
  CreateSchemaCommand,
  EntityNotFoundException,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  RegisterSchemaVersionCommand,
  type GetSchemaVersionCommandOutput,
  type GlueClient,
  type SchemaId,
} from "@aws-sdk/client-glue";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { setTimeout as sleep } from "node:timers/promises";
import { canonicalJson } from "../../../model/compatibility";
import { compatibilityModes, type CompatibilityMode } from "../../../model/contracts";
import { glueSchemaName } from "../../../model/glue";
import { EventSchemaStore, VersionTakenError, itemToSchemaVersion } from "./metadata-store";
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

/** Glue's modes, read back into ours: the *_ALL variants check more versions, the same rules. */
function fromGlueCompatibility(value: string | undefined): CompatibilityMode {
  const base = (value ?? "").replace(/_ALL$/, "");
  if (base === "DISABLED") return "NONE";
  return compatibilityModes.includes(base as CompatibilityMode) ? (base as CompatibilityMode) : "BACKWARD";
}

/** Glue's CreatedTime is a string; keep it only when it is a readable time. */
function createdAtOf(value: string | undefined): { createdAt?: string } {
  const time = value ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? { createdAt: time.toISOString() } : {};
}

function isNotFound(err: unknown): boolean {
  return err instanceof EntityNotFoundException || (err as Error).name === "EntityNotFoundException";
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

  protected override async catchUp(domain: string, event: string): Promise<void> {
    const schemaId = this.schemaId(domain, event);
    let latest: number;
    let compatibility: CompatibilityMode;
    try {
      const schema = await this.glue.send(new GetSchemaCommand({ SchemaId: schemaId }));
      latest = schema.LatestSchemaVersion ?? 0;
      compatibility = fromGlueCompatibility(schema.Compatibility);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const items = await this.store.list(domain, event);
    const stored = new Set(items.map((i) => i.version));
    for (let n = 1; n <= latest; n++) {
      if (stored.has(n)) continue;
      let version: GetSchemaVersionCommandOutput;
      try {
        version = await this.glue.send(new GetSchemaVersionCommand({ SchemaId: schemaId, SchemaVersionNumber: { VersionNumber: n } }));
      } catch (err) {
        if (isNotFound(err)) continue; // deleted in Glue
        throw err;
      }
      if (version.Status !== "AVAILABLE" || !version.SchemaDefinition) continue; // refused or pending: not a version
      const before = items.filter((i) => i.version < n).at(-1);
      try {
        await this.store.insert({
          domain,
          event,
          version: n,
          compatibility,
          containsSensitive: before?.contains_sensitive === "true",
          schema: JSON.parse(version.SchemaDefinition) as Record<string, unknown>,
          glueSchemaVersionId: version.SchemaVersionId!,
          ...createdAtOf(version.CreatedTime),
        });
      } catch (err) {
        if (!(err instanceof VersionTakenError)) throw err; // a concurrent catch-up wrote it: fine
      }
    }
  }

  protected async persist(plan: NewVersionPlan): Promise<RegisterOutcome> {
    const schemaId = this.schemaId(plan.domain, plan.event);
    const definition = canonicalJson(plan.schema);
    let schemaVersionId: string;
    if (plan.version === 1) {
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
        schemaVersionId = created.SchemaVersionId!;
      } catch (err) {
        // Another registration created the Glue schema first: decide again after catching up.
        if (err instanceof AlreadyExistsException || (err as Error).name === "AlreadyExistsException") {
          throw new VersionTakenError(plan.domain, plan.event, plan.version);
        }
        throw err;
      }
    } else {
      const registered = await this.glue.send(new RegisterSchemaVersionCommand({ SchemaId: schemaId, SchemaDefinition: definition }));
      schemaVersionId = registered.SchemaVersionId!;
    }

    const decided = await this.waitForDecision(schemaVersionId);
    if (decided.Status === "FAILURE") {
      return {
        kind: "incompatible",
        mode: plan.compatibility,
        againstVersion: plan.version - 1,
        problems: [{ path: "", message: `AWS Glue refused the version under its ${plan.compatibility} rules` }],
      };
    }
    const version = decided.VersionNumber!;
    const known = await this.store.get(plan.domain, plan.event, version);
    if (known) {
      // Glue answered with a version it already had: the same definition, stored before.
      if (known.fingerprint === plan.fingerprint) return { kind: "identical", version: itemToSchemaVersion(known) };
      throw new VersionTakenError(plan.domain, plan.event, version);
    }
    try {
      const item = await this.store.insert({ ...plan, version, glueSchemaVersionId: schemaVersionId });
      return { kind: "created", version: itemToSchemaVersion(item) };
    } catch (err) {
      if (!(err instanceof VersionTakenError)) throw err;
      // A concurrent registration of the same definition got the same Glue version and wrote it first.
      const winner = await this.store.get(plan.domain, plan.event, version);
      if (winner?.fingerprint === plan.fingerprint) return { kind: "identical", version: itemToSchemaVersion(winner) };
      throw err;
    }
  }

  /** Glue checks compatibility asynchronously: wait until the version is AVAILABLE or FAILURE. */
  private async waitForDecision(schemaVersionId: string): Promise<GetSchemaVersionCommandOutput> {
    const deadline = Date.now() + this.pollTimeoutMs;
    for (;;) {
      const version = await this.glue.send(new GetSchemaVersionCommand({ SchemaVersionId: schemaVersionId }));
      if (version.Status !== "PENDING") return version;
      if (Date.now() > deadline) {
        throw new Error(`AWS Glue left schema version ${schemaVersionId} PENDING for more than ${this.pollTimeoutMs} ms`);
      }
      await sleep(this.pollIntervalMs);
    }
  }
}
