// Producers: one API key per producer, bound to one domain. The key is returned once and only
// its SHA-256 is stored (producer_api_key).

import { randomUUID } from "node:crypto";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ProducerApiKeyItem } from "../../model/records";
import { apiKeyDisplayPrefix, hashApiKey, newApiKey } from "../shared/api-keys";

export interface CreatedProducer {
  producerId: string;
  domain: string;
  /** Shown once: not stored, not recoverable. */
  apiKey: string;
}

export class ProducerRegistry {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(domain: string): Promise<CreatedProducer> {
    const apiKey = newApiKey();
    const item: ProducerApiKeyItem = {
      api_key_hash: hashApiKey(apiKey),
      producer_id: `prd_${randomUUID()}`,
      domain,
      key_prefix: apiKeyDisplayPrefix(apiKey),
      created_at: new Date().toISOString(),
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: "attribute_not_exists(api_key_hash)" }));
    return { producerId: item.producer_id, domain, apiKey };
  }
}
