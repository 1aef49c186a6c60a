// Names in the AWS Glue Schema Registry. The SchemaRegistry component seeds Glue from
// contracts/ under these names; the Glue adapter of the services looks schemas up by them.

/** One Glue schema per event type, named as the CloudEvent `type`: `{domain}.{event}`. */
export function glueSchemaName(domain: string, event: string): string {
  return `${domain}.${event}`;
}

/** Tag on each Glue schema: the contract version its current definition came from. */
export const glueContractVersionTag = "contract-version";
