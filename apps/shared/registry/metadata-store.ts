// The event_schema table as the schema registry adapters use it: one item per schema version,
// found by event type through the `event_type-index` GSI. Both adapters keep their metadata
// (and the schema body) here; the Glue one adds the Glue SchemaVersionId.

import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, paginateQuery, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { canonicalJson, schemaFingerprint } from "../../../model/compatibility";
import type { EventSchemaItem } from "../../../model/records";
import { formatEventType } from "../../../model/topics";
import { schemaId, tableName, tables } from "../../../model/tables";
import type { SchemaVersion } from "./port";
import type { NewVersionPlan } from "./registration";

const eventTypeIndex = "event_type-index";
// Declared in the model; fail at load, not at the first query, if it is ever renamed.
if (!tables.eventSchema.indexes.some((i) => i.name === eventTypeIndex)) {
  throw new Error(`model/tables.ts: event_schema has no ${eventTypeIndex}`);
}

/** Thrown by insert() when another registration already stored that version number. */
export class VersionTakenError extends Error {
  constructor(readonly domain: string, readonly event: string, readonly version: number) {
    super(`${formatEventType({ domain, event })} v${version} was stored by a concurrent registration`);
    this.name = "VersionTakenError";
  }
}

/** A version as the registration planned it, plus what the adapter adds when it stores it. */
export type NewVersionItem = Omit<NewVersionPlan, "fingerprint"> & {
  glueSchemaVersionId?: string;
  createdAt?: string;
};

export function itemToSchemaVersion(item: EventSchemaItem): SchemaVersion {
  return {
    domain: item.domain,
    event: item.event,
    version: item.version,
    status: item.status,
    compatibility: item.compatibility,
    containsSensitive: item.contains_sensitive === "true",
    schema: JSON.parse(item.schema) as Record<string, unknown>,
    fingerprint: item.fingerprint,
    createdAt: item.created_at,
  };
}

export function newVersionToItem(v: NewVersionItem): EventSchemaItem {
  const item: EventSchemaItem = {
    schema_id: schemaId(v.domain, v.event, v.version),
    event_type: formatEventType(v),
    domain: v.domain,
    event: v.event,
    version: v.version,
    status: "ACTIVE",
    contains_sensitive: v.containsSensitive ? "true" : "false",
    compatibility: v.compatibility,
    schema: canonicalJson(v.schema),
    fingerprint: schemaFingerprint(v.schema),
    created_at: v.createdAt ?? new Date().toISOString(),
  };
  if (v.glueSchemaVersionId) item.glue_schema_version_id = v.glueSchemaVersionId;
  return item;
}

export class EventSchemaStore {
  readonly table: string;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    tablePrefix = "",
  ) {
    this.table = tableName("eventSchema", tablePrefix);
  }

  async get(domain: string, event: string, version: number): Promise<EventSchemaItem | undefined> {
    const out = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: { schema_id: schemaId(domain, event, version) }, ConsistentRead: true }),
    );
    return out.Item as EventSchemaItem | undefined;
  }

  /**
   * Every version, ascending. The GSI is eventually consistent, so the tail is then read with
   * consistent GetItems (next version numbers until one is missing): a registration that just
   * lost a conditional put sees the winner's version.
   */
  async list(domain: string, event: string): Promise<EventSchemaItem[]> {
    const items: EventSchemaItem[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.table,
        IndexName: eventTypeIndex,
        KeyConditionExpression: "event_type = :t",
        ExpressionAttributeValues: { ":t": formatEventType({ domain, event }) },
        ScanIndexForward: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as EventSchemaItem[]));
    for (;;) {
      const next = await this.get(domain, event, (items.at(-1)?.version ?? 0) + 1);
      if (!next) break;
      items.push(next);
    }
    return items;
  }

  /** Stores a new version; VersionTakenError when that version number exists already. */
  async insert(version: NewVersionItem): Promise<EventSchemaItem> {
    const item = newVersionToItem(version);
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: "attribute_not_exists(schema_id)" }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === "ConditionalCheckFailedException") throw new VersionTakenError(version.domain, version.event, version.version);
      throw err;
    }
    return item;
  }
}
