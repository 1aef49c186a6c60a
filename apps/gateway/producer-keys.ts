// Producer authentication: the SHA-256 of the presented key looked up in producer_api_key.
// Answers are cached briefly (both "known" and "unknown"), so a busy producer costs one
// DynamoDB read per key per TTL rather than one per request.

import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ProducerApiKeyItem } from "../../model/records";
import { hashApiKey } from "../shared/api-keys";

export interface ProducerKeyLookup {
  find(apiKey: string): Promise<ProducerApiKeyItem | undefined>;
}

export interface ProducerKeyCacheOptions {
  knownTtlMs?: number;
  unknownTtlMs?: number;
  maxEntries?: number;
}

export class ProducerKeys implements ProducerKeyLookup {
  private readonly cache = new Map<string, { until: number; item: Promise<ProducerApiKeyItem | undefined> }>();
  private readonly knownTtlMs: number;
  private readonly unknownTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    options: ProducerKeyCacheOptions = {},
  ) {
    this.knownTtlMs = options.knownTtlMs ?? 60_000;
    this.unknownTtlMs = options.unknownTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  find(apiKey: string): Promise<ProducerApiKeyItem | undefined> {
    const hash = hashApiKey(apiKey);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.item;
    const item = this.load(hash);
    this.remember(hash, item);
    return item;
  }

  private async load(hash: string): Promise<ProducerApiKeyItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { api_key_hash: hash } }));
    return out.Item as ProducerApiKeyItem | undefined;
  }

  private remember(hash: string, item: Promise<ProducerApiKeyItem | undefined>): void {
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    // While loading, concurrent requests share the lookup; then the TTL depends on the answer.
    this.cache.set(hash, { until: Date.now() + this.unknownTtlMs, item });
    item.then(
      (found) => {
        const entry = this.cache.get(hash);
        if (entry?.item === item) entry.until = Date.now() + (found ? this.knownTtlMs : this.unknownTtlMs);
      },
      () => {
        if (this.cache.get(hash)?.item === item) this.cache.delete(hash);
      },
    );
  }
}
