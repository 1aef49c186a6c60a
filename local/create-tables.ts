// Creates (and deletes) every DynamoDB table of the shared model on a DynamoDB endpoint:
// DynamoDB Local for `npm start` and the tests. The Pulumi DataStore builds the AWS tables
// from the same definitions.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
} from "@aws-sdk/client-dynamodb";
import { tableIds, tableName, tables, type TableDefinition, type TableId } from "../model/tables";

/** Seconds to wait for one table to become ACTIVE (or to disappear). */
const WAIT_SECONDS = 120;

function keySchema(hashKey: string, rangeKey: string | undefined): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: hashKey, KeyType: "HASH" }];
  if (rangeKey) schema.push({ AttributeName: rangeKey, KeyType: "RANGE" });
  return schema;
}

/** The CreateTable request for one table of the model, on-demand billing. */
export function createTableInput(table: TableDefinition, prefix = ""): CreateTableCommandInput {
  const usedAttributes = new Set<string>([table.hashKey]);
  if (table.rangeKey) usedAttributes.add(table.rangeKey);
  for (const index of table.indexes) {
    usedAttributes.add(index.hashKey);
    if (index.rangeKey) usedAttributes.add(index.rangeKey);
  }
  // DynamoDB rejects attribute definitions that no key uses, and keys without a definition:
  // check the model here so the error names the table and the attribute.
  for (const name of usedAttributes) {
    if (!table.attributes[name]) {
      throw new Error(`table ${table.name}: key attribute "${name}" has no type in attributes (allowed: S, N)`);
    }
  }
  for (const name of Object.keys(table.attributes)) {
    if (!usedAttributes.has(name)) {
      throw new Error(`table ${table.name}: attribute "${name}" is declared but used by no key or index`);
    }
  }

  const input: CreateTableCommandInput = {
    TableName: `${prefix}${table.name}`,
    BillingMode: "PAY_PER_REQUEST",
    KeySchema: keySchema(table.hashKey, table.rangeKey),
    AttributeDefinitions: [...usedAttributes].map((name) => ({
      AttributeName: name,
      AttributeType: table.attributes[name],
    })),
  };
  if (table.indexes.length > 0) {
    input.GlobalSecondaryIndexes = table.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.hashKey, index.rangeKey),
      Projection: { ProjectionType: index.projection },
    }));
  }
  return input;
}

async function createTable(client: DynamoDBClient, id: TableId, prefix: string): Promise<void> {
  const table: TableDefinition = tables[id];
  const name = tableName(id, prefix);
  try {
    await client.send(new CreateTableCommand(createTableInput(table, prefix)));
  } catch (error) {
    // Already there (from an earlier run, or being created by a concurrent one): leave it as it is.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: WAIT_SECONDS, minDelay: 1, maxDelay: 2 }, { TableName: name });
  if (table.ttlAttribute) await enableTimeToLive(client, name, table.ttlAttribute);
}

/**
 * Turns TTL on unless it already is: also on a table that an interrupted earlier run created
 * without it. UpdateTimeToLive fails when TTL is already enabled, hence the look first.
 */
async function enableTimeToLive(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === "ENABLED" || status === "ENABLING") {
    const existing = current.TimeToLiveDescription?.AttributeName;
    if (existing !== attribute) {
      throw new Error(`table ${name}: TTL is on attribute "${existing}", the model says "${attribute}"`);
    }
    return;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

/**
 * Creates every table of the model with the given name prefix, its GSIs and TTL, on-demand
 * billing, and waits until each is ACTIVE. Tables that exist already are left as they are.
 */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<void> {
  await Promise.all(tableIds.map((id) => createTable(client, id, prefix)));
}

/** Deletes every table of the model with the given prefix; tables that do not exist are skipped. */
export async function deleteTables(client: DynamoDBClient, prefix: string): Promise<void> {
  await Promise.all(
    tableIds.map(async (id) => {
      const name = tableName(id, prefix);
      try {
        await client.send(new DeleteTableCommand({ TableName: name }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        throw error;
      }
      await waitUntilTableNotExists({ client, maxWaitTime: WAIT_SECONDS, minDelay: 1, maxDelay: 2 }, { TableName: name });
    }),
  );
}
