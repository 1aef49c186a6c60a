// Customer-managed KMS keys, one per purpose, with yearly rotation and an alias each.
// The account's IAM decides who may use the kafka, dynamodb, secrets and eks keys (the
// services reach them through grants); the logs key also admits the CloudWatch Logs service,
// which encrypts log groups with it and cannot use IAM delegation.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Env } from "../config";
import { componentTags, resourceName } from "./naming";

export const keyPurposes = ["kafka", "dynamodb", "secrets", "logs", "eks"] as const;
export type KeyPurpose = (typeof keyPurposes)[number];

const descriptions: Record<KeyPurpose, string> = {
  kafka: "MSK data at rest",
  dynamodb: "DynamoDB tables (SSE-KMS)",
  secrets: "Secrets Manager secrets",
  logs: "CloudWatch Logs log groups",
  eks: "EKS Kubernetes secrets envelope encryption",
};

export interface KeysArgs {
  env: Env;
  region: string;
}

export class Keys extends pulumi.ComponentResource {
  readonly keys: Record<KeyPurpose, aws.kms.Key>;
  readonly arns: Record<KeyPurpose, pulumi.Output<string>>;

  constructor(name: string, args: KeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:keys:Keys", name, args, opts);
    const tags = componentTags("keys");
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const keys = {} as Record<KeyPurpose, aws.kms.Key>;
    for (const purpose of keyPurposes) {
      const keyName = resourceName(args.env, `${purpose}-key`);
      keys[purpose] = new aws.kms.Key(
        keyName,
        {
          description: `${keyName}: ${descriptions[purpose]}`,
          enableKeyRotation: true,
          rotationPeriodInDays: 365,
          deletionWindowInDays: 30,
          policy: keyPolicy(purpose, accountId, args.region),
          tags: { ...tags, Name: keyName },
        },
        { parent: this },
      );
      new aws.kms.Alias(keyName, { name: `alias/${keyName}`, targetKeyId: keys[purpose].keyId }, { parent: this });
    }
    this.keys = keys;
    this.arns = Object.fromEntries(keyPurposes.map((p) => [p, keys[p].arn])) as Record<KeyPurpose, pulumi.Output<string>>;
    this.registerOutputs({ arns: this.arns });
  }
}

function keyPolicy(purpose: KeyPurpose, accountId: pulumi.Output<string>, region: string): pulumi.Output<string> {
  return accountId.apply((account) => {
    // In a key policy, Resource "*" means "this key"; the root statement hands control to IAM.
    const statements: Record<string, unknown>[] = [
      {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ];
    if (purpose === "logs") {
      statements.push({
        Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${account}:log-group:*` } },
      });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
  });
}
