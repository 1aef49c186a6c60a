// SCHEMA_REGISTRY picks the adapter behind the SchemaRegistry port: `local` keeps bodies and
// metadata in event_schema; `glue` keeps bodies in AWS Glue Schema Registry and metadata there.

import { GlueClient } from "@aws-sdk/client-glue";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GlueSchemaRegistry } from "./registry/glue";
import { LocalSchemaRegistry } from "./registry/local";
import type { SchemaRegistry } from "./registry/port";

export interface SchemaRegistrySettings {
  kind: "local" | "glue";
  glueRegistryName?: string | undefined;
  region: string;
  tablePrefix: string;
}

export function createSchemaRegistry(settings: SchemaRegistrySettings, documents: DynamoDBDocumentClient): SchemaRegistry {
  if (settings.kind === "local") return new LocalSchemaRegistry(documents, settings.tablePrefix);
  if (!settings.glueRegistryName) throw new Error("GLUE_REGISTRY_NAME is required when SCHEMA_REGISTRY=glue");
  // The Glue endpoint follows the SDK's own settings (AWS_ENDPOINT_URL_GLUE for moto).
  return new GlueSchemaRegistry(new GlueClient({ region: settings.region }), settings.glueRegistryName, documents, { tablePrefix: settings.tablePrefix });
}
