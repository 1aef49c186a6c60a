// Data store: every DynamoDB table of model/tables.ts, with point-in-time recovery, SSE-KMS on
// the dynamodb CMK, TTL where the model names an expiry attribute, deletion protection where
// asked (prod), and billing on demand or provisioned with target-tracking autoscaling of the
// table and each index.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { DataStoreBilling, Env } from "../config";
import { tableIds, tableName, tables, type TableDefinition, type TableId } from "../model/tables";
import { componentTags, resourceName } from "./naming";

export interface DataStoreArgs {
  env: Env;
  billing: DataStoreBilling;
  dynamodbKeyArn: pulumi.Input<string>;
  deletionProtection: boolean;
}

type ProvisionedBilling = Extract<DataStoreBilling, { mode: "provisioned" }>;

const capacityDimensions = [
  { capacity: "readCapacity", units: "ReadCapacityUnits", metric: "DynamoDBReadCapacityUtilization", short: "read" },
  { capacity: "writeCapacity", units: "WriteCapacityUnits", metric: "DynamoDBWriteCapacityUtilization", short: "write" },
] as const;

export class DataStore extends pulumi.ComponentResource {
  readonly tableNames: Record<TableId, pulumi.Output<string>>;
  readonly tableArns: Record<TableId, pulumi.Output<string>>;

  constructor(name: string, args: DataStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dynamodb:DataStore", name, args, opts);
    const built = Object.fromEntries(tableIds.map((id) => [id, this.table(id, tables[id], args)])) as Record<TableId, aws.dynamodb.Table>;
    this.tableNames = Object.fromEntries(tableIds.map((id) => [id, built[id].name])) as Record<TableId, pulumi.Output<string>>;
    this.tableArns = Object.fromEntries(tableIds.map((id) => [id, built[id].arn])) as Record<TableId, pulumi.Output<string>>;
    this.registerOutputs({ tableNames: this.tableNames, tableArns: this.tableArns });
  }

  private table(id: TableId, def: TableDefinition, args: DataStoreArgs): aws.dynamodb.Table {
    const logicalName = resourceName(args.env, `table-${def.name.replace(/_/g, "-")}`);
    const provisioned = args.billing.mode === "provisioned" ? args.billing : undefined;
    const initial = (dim: "readCapacity" | "writeCapacity") => (provisioned ? provisioned[dim].min : undefined);

    const table = new aws.dynamodb.Table(
      logicalName,
      {
        name: tableName(id),
        hashKey: def.hashKey,
        rangeKey: def.rangeKey,
        attributes: Object.entries(def.attributes).map(([attr, type]) => ({ name: attr, type })),
        globalSecondaryIndexes: def.indexes.map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.hashKey, keyType: "HASH" },
            ...(index.rangeKey ? [{ attributeName: index.rangeKey, keyType: "RANGE" }] : []),
          ],
          projectionType: index.projection,
          readCapacity: initial("readCapacity"),
          writeCapacity: initial("writeCapacity"),
        })),
        billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        readCapacity: initial("readCapacity"),
        writeCapacity: initial("writeCapacity"),
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.dynamodbKeyArn },
        ttl: def.ttlAttribute ? { enabled: true, attributeName: def.ttlAttribute } : undefined,
        deletionProtectionEnabled: args.deletionProtection,
        tags: componentTags("data-store", { table: def.name }),
      },
      {
        parent: this,
        // Autoscaling moves provisioned capacity; the program only sets the starting point.
        ignoreChanges: provisioned
          ? ["readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"]
          : [],
      },
    );

    if (provisioned) {
      this.autoscale(`${logicalName}`, pulumi.interpolate`table/${table.name}`, "table", provisioned);
      for (const index of def.indexes) {
        this.autoscale(`${logicalName}-${index.name}`, pulumi.interpolate`table/${table.name}/index/${index.name}`, "index", provisioned);
      }
    }
    return table;
  }

  private autoscale(name: string, resourceId: pulumi.Output<string>, scope: "table" | "index", billing: ProvisionedBilling): void {
    for (const dim of capacityDimensions) {
      const target = new aws.appautoscaling.Target(
        `${name}-${dim.short}`,
        {
          serviceNamespace: "dynamodb",
          scalableDimension: `dynamodb:${scope}:${dim.units}`,
          resourceId,
          minCapacity: billing[dim.capacity].min,
          maxCapacity: billing[dim.capacity].max,
          tags: componentTags("data-store"),
        },
        { parent: this },
      );
      new aws.appautoscaling.Policy(
        `${name}-${dim.short}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: dim.metric },
            targetValue: billing.targetUtilizationPercent,
          },
        },
        { parent: this },
      );
    }
  }
}
