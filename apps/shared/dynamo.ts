// The DynamoDB document client every service uses. DYNAMODB_ENDPOINT points it at DynamoDB
// Local; table names always go through tableName(id, TABLE_PREFIX) from model/tables.ts.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoOptions {
  region: string;
  endpoint?: string | undefined;
}

export function createDocumentClient(options: DynamoOptions): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region,
    ...(local ? { endpoint: options.endpoint } : {}),
    // DynamoDB Local accepts any credentials; without this a laptop with no AWS profile fails to sign.
    ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
