// Least-privilege IAM policies of the services (their IRSA roles), generated from
// model/access.ts. Pure functions over plain ARNs, so the tests run them without Pulumi; the
// Services component resolves the infrastructure outputs and calls them.
//
// Resources are exact: the MSK cluster, topic name patterns by kind (`wh.ingress.*`, ...),
// consumer groups and transactional ids as the model names them, the tables and the indexes
// the service queries, the Glue registry and its schemas, the secrets and their CMK. No data
// action is ever granted on `*`; `broadDataResources` says where one is, and the tests run it.

import { serviceAccess, type ServiceName, type TopicAction } from "../model/access";
import { topicKinds, type ClusterRole } from "../model/topics";
import type { TableId } from "../model/tables";
import type { SecretId } from "../model/secrets";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** The ARNs the policies name, resolved from the infrastructure tiers. */
export interface PlatformArns {
  region: string;
  /** `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>` of the cluster serving each role. */
  kafkaClusterArns: Record<ClusterRole, string>;
  tableArns: Record<TableId, string>;
  /** `arn:aws:glue:<region>:<account>:registry/<name>` */
  glueRegistryArn: string;
  secretArns: Record<SecretId, string>;
  /** The CMK the secrets are encrypted with. */
  secretsKeyArn: string;
}

const topicActions: Record<TopicAction, string[]> = {
  read: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
  write: ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
  create: ["kafka-cluster:DescribeTopic", "kafka-cluster:CreateTopic"],
};

const tableActions = {
  read: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
  readWrite: [
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
  ],
} as const;

const indexActions = ["dynamodb:Query"];

const glueRegistryActions = {
  read: ["glue:GetRegistry", "glue:ListSchemas"],
  readWrite: ["glue:GetRegistry", "glue:ListSchemas", "glue:CreateSchema"],
} as const;

const glueSchemaActions = {
  read: ["glue:GetSchema", "glue:GetSchemaVersion", "glue:GetSchemaByDefinition", "glue:ListSchemaVersions"],
  readWrite: [
    "glue:GetSchema",
    "glue:GetSchemaVersion",
    "glue:GetSchemaByDefinition",
    "glue:ListSchemaVersions",
    "glue:CreateSchema",
    "glue:RegisterSchemaVersion",
    "glue:PutSchemaVersionMetadata",
  ],
} as const;

/** Swaps the resource type of an MSK cluster ARN: `...:cluster/<name>/<uuid>` -> `...:<type>/<name>/<uuid>/<name-pattern>`. */
export function kafkaResourceArn(clusterArn: string, type: "topic" | "group" | "transactional-id", namePattern: string): string {
  const m = /^(arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}):cluster\/([^/]+)\/([^/]+)$/.exec(clusterArn);
  if (!m) throw new Error(`not an MSK cluster ARN: "${clusterArn}" (expected arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)`);
  return `${m[1]}:${type}/${m[2]}/${m[3]}/${namePattern}`;
}

/** `arn:aws:glue:<region>:<account>:schema/<registry>/*`: every schema of the registry, nothing outside it. */
export function glueSchemasArn(registryArn: string): string {
  const m = /^(arn:aws[a-z-]*:glue:[a-z0-9-]+:[0-9]{12}):registry\/([^/*]+)$/.exec(registryArn);
  if (!m) throw new Error(`not a Glue registry ARN: "${registryArn}" (expected arn:aws:glue:<region>:<account>:registry/<name>)`);
  return `${m[1]}:schema/${m[2]}/*`;
}

const unique = (xs: readonly string[]) => [...new Set(xs)];
const sid = (...parts: string[]) => parts.map((p) => p.replace(/[^A-Za-z0-9]/g, "")).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("");

function kafkaStatements(service: ServiceName, arns: PlatformArns): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const access of serviceAccess[service].kafka) {
    const clusterArn = arns.kafkaClusterArns[access.cluster];
    const writes = access.topics.some((t) => t.actions.includes("write"));
    statements.push({
      Sid: sid("Kafka", access.cluster, "Cluster"),
      Effect: "Allow",
      // Idempotent (and transactional) producers need WriteDataIdempotently on the cluster.
      Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster", ...(writes ? ["kafka-cluster:WriteDataIdempotently"] : [])],
      Resource: [clusterArn],
    });
    for (const topic of access.topics) {
      statements.push({
        Sid: sid("Kafka", access.cluster, topic.kind, "Topics"),
        Effect: "Allow",
        Action: unique(topic.actions.flatMap((a) => topicActions[a])),
        Resource: [kafkaResourceArn(clusterArn, "topic", `${topicKinds[topic.kind].prefix}*`)],
      });
    }
    if (access.groups.length > 0) {
      statements.push({
        Sid: sid("Kafka", access.cluster, "Groups"),
        Effect: "Allow",
        Action: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
        Resource: access.groups.map((g) => kafkaResourceArn(clusterArn, "group", g)),
      });
    }
  }
  return statements;
}

function tableStatements(service: ServiceName, arns: PlatformArns): PolicyStatement[] {
  return serviceAccess[service].tables.flatMap((t) => {
    const tableArn = arns.tableArns[t.table];
    const statements: PolicyStatement[] = [
      { Sid: sid("Table", t.table), Effect: "Allow", Action: [...tableActions[t.access]], Resource: [tableArn] },
    ];
    if (t.indexes.length > 0) {
      statements.push({
        Sid: sid("Table", t.table, "Indexes"),
        Effect: "Allow",
        Action: indexActions,
        Resource: t.indexes.map((i) => `${tableArn}/index/${i}`),
      });
    }
    return statements;
  });
}

function schemaRegistryStatements(service: ServiceName, arns: PlatformArns): PolicyStatement[] {
  const access = serviceAccess[service].schemaRegistry;
  if (access === "none") return [];
  return [
    { Sid: "SchemaRegistry", Effect: "Allow", Action: [...glueRegistryActions[access]], Resource: [arns.glueRegistryArn] },
    { Sid: "SchemaRegistrySchemas", Effect: "Allow", Action: [...glueSchemaActions[access]], Resource: [glueSchemasArn(arns.glueRegistryArn)] },
  ];
}

function secretStatements(service: ServiceName, arns: PlatformArns): PolicyStatement[] {
  const ids = serviceAccess[service].secrets;
  if (ids.length === 0) return [];
  return [
    { Sid: "Secrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: ids.map((id) => arns.secretArns[id]) },
    {
      Sid: "SecretsKey",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [arns.secretsKeyArn],
      // Only when Secrets Manager decrypts on the service's behalf.
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${arns.region}.amazonaws.com` } },
    },
  ];
}

/** The IRSA policy of a service: exactly what model/access.ts gives it. */
export function servicePolicy(service: ServiceName, arns: PlatformArns): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ...kafkaStatements(service, arns),
      ...tableStatements(service, arns),
      ...schemaRegistryStatements(service, arns),
      ...secretStatements(service, arns),
    ],
  };
}

/** Services whose actions read or change data: none of them may be granted on a broad resource. */
const dataServices = ["kafka-cluster", "dynamodb", "glue", "secretsmanager", "kms", "s3", "sqs", "sns", "kinesis"];

function isDataAction(action: string): boolean {
  return dataServices.includes(action.split(":")[0]!.toLowerCase());
}

/** Why a resource is too broad for a data action, or undefined when it is scoped. */
export function broadness(resource: string): string | undefined {
  if (resource === "*") return "is every resource";
  const parts = resource.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return "is not an ARN";
  const [, , service, region, account] = parts;
  if ([service, region, account].some((p) => p!.includes("*"))) return "has a wildcard in its service, region or account";
  const path = parts.slice(5).join(":").split("/");
  const wildAt = path.findIndex((segment) => segment.includes("*") || segment.includes("?"));
  if (wildAt === -1) return undefined;
  if (wildAt !== path.length - 1) return "has a wildcard before its last path segment";
  if (path.length < 3) return `names every ${path[0]} of the account`;
  if (service === "kafka" && /^[*?]+$/.test(path[wildAt]!)) return `names every ${path[0]} of the cluster`;
  return undefined;
}

export interface BroadGrant {
  sid: string;
  action: string;
  resource: string;
  reason: string;
}

/** Every data action granted on a resource that is `*` or otherwise unscoped. Empty for a good policy. */
export function broadDataResources(policy: PolicyDocument): BroadGrant[] {
  const found: BroadGrant[] = [];
  for (const s of policy.Statement) {
    for (const action of s.Action.filter(isDataAction)) {
      for (const resource of s.Resource) {
        const reason = action.endsWith("*") && action.split(":")[1] === "*" ? "grants every action of the service" : broadness(resource);
        if (reason) found.push({ sid: s.Sid, action, resource, reason });
      }
    }
  }
  return found;
}

/** A role's trust policy: one principal may assume it with one action, under one condition. */
function trustPolicy(principal: Record<string, string>, action: string, condition: Record<string, Record<string, string>>): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: action, Condition: condition }] };
}

/** Trust policy of a role an AWS service assumes on this account's behalf only (confused-deputy guard). */
export function serviceTrustPolicy(servicePrincipal: string, accountId: string): Record<string, unknown> {
  return trustPolicy({ Service: servicePrincipal }, "sts:AssumeRole", { StringEquals: { "aws:SourceAccount": accountId } });
}

/**
 * Trust policy of an IRSA role: only the one ServiceAccount, through the cluster's OIDC
 * provider. `oidcIssuer` is the issuer without its scheme, as eks.Cluster's `oidcIssuer` gives it
 * (`oidc.eks.<region>.amazonaws.com/id/<id>`).
 */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuer: string, serviceAccountSubject: string): Record<string, unknown> {
  return trustPolicy({ Federated: oidcProviderArn }, "sts:AssumeRoleWithWebIdentity", {
    StringEquals: { [`${oidcIssuer}:sub`]: serviceAccountSubject, [`${oidcIssuer}:aud`]: "sts.amazonaws.com" },
  });
}
