// The schema registry of the local platform (and of any deployment without Glue): every version,
// body and metadata, is one item in event_schema. Two registrations racing for the same version
// number cannot both win: the item is written with attribute_not_exists, and the loser decides
// again against the winner's version.

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { EventSchemaStore, itemToSchemaVersion } from "./metadata-store";
import type { RegisterOutcome } from "./port";
import type { NewVersionPlan } from "./registration";
import { StoredSchemaRegistry } from "./stored-registry";

export class LocalSchemaRegistry extends StoredSchemaRegistry {
  constructor(documents: DynamoDBDocumentClient, tablePrefix = "") {
    super(new EventSchemaStore(documents, tablePrefix));
  }

  protected async persist(plan: NewVersionPlan): Promise<RegisterOutcome> {
    const item = await this.store.insert(plan);
    return { kind: "created", version: itemToSchemaVersion(item) };
  }
}
