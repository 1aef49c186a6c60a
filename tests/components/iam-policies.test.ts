// The services' IRSA policies generated from model/access.ts: exact resources per service, and
// the checker that fails any policy granting a data action on `*` or an unscoped ARN.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serviceNames, type ServiceName } from "../../model/access";
import { tableIds, tables, type TableId } from "../../model/tables";
import {
  broadDataResources,
  kafkaResourceArn,
  glueSchemasArn,
  servicePolicy,
  type PlatformArns,
  type PolicyDocument,
} from "../../components/iam-policies";

const account = "123456789012";
const ingressCluster = `arn:aws:kafka:us-east-1:${account}:cluster/webhooks-prod-msk-ingress/1111aaaa-2222-3333-4444-555566667777-3`;
const egressCluster = `arn:aws:kafka:us-east-1:${account}:cluster/webhooks-prod-msk-egress/8888bbbb-9999-0000-aaaa-bbbbccccdddd-3`;
const tableArn = (id: TableId) => `arn:aws:dynamodb:us-east-1:${account}:table/${tables[id].name}`;
const registry = `arn:aws:glue:us-east-1:${account}:registry/webhooks-prod`;
const adminSecret = `arn:aws:secretsmanager:us-east-1:${account}:secret:webhooks/prod/admin-token-AbCdEf`;
const secretsKey = `arn:aws:kms:us-east-1:${account}:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`;

const arns: PlatformArns = {
  region: "us-east-1",
  kafkaClusterArns: { ingress: ingressCluster, egress: egressCluster },
  tableArns: Object.fromEntries(tableIds.map((id) => [id, tableArn(id)])) as Record<TableId, string>,
  glueRegistryArn: registry,
  secretArns: { adminToken: adminSecret },
  secretsKeyArn: secretsKey,
};

const topic = (cluster: string, pattern: string) => kafkaResourceArn(cluster, "topic", pattern);
const group = (cluster: string, pattern: string) => kafkaResourceArn(cluster, "group", pattern);
const schemas = glueSchemasArn(registry);

/** Resource -> actions granted on it, over every statement. */
function grants(policy: PolicyDocument): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of policy.Statement) {
    for (const r of s.Resource) {
      const set = out.get(r) ?? new Set<string>();
      for (const a of s.Action) set.add(a);
      out.set(r, set);
    }
  }
  return out;
}

const expectedResources: Record<ServiceName, string[]> = {
  gateway: [
    ingressCluster,
    topic(ingressCluster, "wh.ingress.*"),
    tableArn("producerApiKey"),
    tableArn("eventSchema"),
    `${tableArn("eventSchema")}/index/event_type-index`,
    tableArn("idempotencyLedger"),
    registry,
    schemas,
  ],
  admin: [
    ingressCluster,
    topic(ingressCluster, "wh.ingress.*"),
    egressCluster,
    topic(egressCluster, "wh.egress.*"),
    topic(egressCluster, "wh.dlq.*"),
    group(egressCluster, "webhooks-admin-replay*"),
    tableArn("producerApiKey"),
    `${tableArn("producerApiKey")}/index/producer_id-index`,
    tableArn("eventSchema"),
    `${tableArn("eventSchema")}/index/event_type-index`,
    `${tableArn("eventSchema")}/index/status-index`,
    tableArn("partnerEventSubscription"),
    `${tableArn("partnerEventSubscription")}/index/subscription_id-index`,
    `${tableArn("partnerEventSubscription")}/index/partner_id-index`,
    tableArn("eventSubscriptionKafka"),
    tableArn("eventDeliveryStatus"),
    registry,
    schemas,
    adminSecret,
    secretsKey,
  ],
  processor: [
    ingressCluster,
    topic(ingressCluster, "wh.ingress.*"),
    group(ingressCluster, "webhooks-processor"),
    egressCluster,
    topic(egressCluster, "wh.egress.*"),
    tableArn("partnerEventSubscription"),
    `${tableArn("partnerEventSubscription")}/index/event_type-index`,
    tableArn("eventSubscriptionKafka"),
  ],
  dispatcher: [
    egressCluster,
    topic(egressCluster, "wh.egress.*"),
    topic(egressCluster, "wh.retry.*"),
    topic(egressCluster, "wh.dlq.*"),
    group(egressCluster, "webhooks-dispatcher"),
    group(egressCluster, "webhooks-dispatcher-retry*"),
    tableArn("partnerEventSubscription"),
    `${tableArn("partnerEventSubscription")}/index/subscription_id-index`,
    tableArn("eventSubscriptionKafka"),
    tableArn("eventDeliveryStatus"),
  ],
};

describe("IRSA policies from model/access.ts", () => {
  for (const service of serviceNames) {
    it(`${service}: names exactly the cluster, topics, groups, tables, indexes, schemas and secrets the model gives it`, () => {
      const granted = [...grants(servicePolicy(service, arns)).keys()].sort();
      assert.deepEqual(granted, [...expectedResources[service]].sort());
    });

    it(`${service}: grants no data action on * or an unscoped ARN`, () => {
      assert.deepEqual(broadDataResources(servicePolicy(service, arns)), []);
    });
  }

  it("lets the gateway write ingress topics but not read them, and read its tables without writing the API keys", () => {
    const g = grants(servicePolicy("gateway", arns));
    assert.deepEqual([...g.get(topic(ingressCluster, "wh.ingress.*"))!].sort(), ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]);
    assert.ok(g.get(ingressCluster)!.has("kafka-cluster:WriteDataIdempotently"), "acks=all idempotent producer");
    assert.ok(!g.get(tableArn("producerApiKey"))!.has("dynamodb:PutItem"));
    assert.ok(g.get(tableArn("idempotencyLedger"))!.has("dynamodb:PutItem"));
    assert.ok(!g.get(schemas)!.has("glue:RegisterSchemaVersion"), "the gateway only reads schemas");
  });

  it("lets the processor consume ingress in its group and produce egress idempotently, with no transactional ids and no topic creation", () => {
    const g = grants(servicePolicy("processor", arns));
    assert.deepEqual([...g.get(topic(ingressCluster, "wh.ingress.*"))!].sort(), ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]);
    assert.deepEqual([...g.get(group(ingressCluster, "webhooks-processor"))!].sort(), ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]);
    assert.ok(g.get(egressCluster)!.has("kafka-cluster:WriteDataIdempotently"), "idempotent producer");
    for (const [resource, actions] of g) {
      assert.ok(!resource.includes(":transactional-id/"), `no transactional-id grant: ${resource}`);
      assert.ok(!actions.has("kafka-cluster:AlterTransactionalId"));
    }
    for (const actions of g.values()) assert.ok(!actions.has("kafka-cluster:CreateTopic"));
  });

  it("lets the admin API create ingress and egress topics and register schema versions", () => {
    const g = grants(servicePolicy("admin", arns));
    assert.ok(g.get(topic(ingressCluster, "wh.ingress.*"))!.has("kafka-cluster:CreateTopic"));
    assert.ok(g.get(topic(egressCluster, "wh.egress.*"))!.has("kafka-cluster:CreateTopic"));
    assert.ok(g.get(schemas)!.has("glue:RegisterSchemaVersion"));
    assert.ok(g.get(registry)!.has("glue:CreateSchema"));
  });

  it("lets the admin API read its secret, decrypting with the secrets CMK only through Secrets Manager", () => {
    const policy = servicePolicy("admin", arns);
    const key = policy.Statement.find((s) => s.Resource.includes(secretsKey))!;
    assert.deepEqual(key.Action, ["kms:Decrypt"]);
    assert.deepEqual(key.Condition, { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
    const secret = policy.Statement.find((s) => s.Resource.includes(adminSecret))!;
    assert.ok(secret.Action.includes("secretsmanager:GetSecretValue"));
    for (const service of ["gateway", "processor", "dispatcher"] as const) {
      const resources = [...grants(servicePolicy(service, arns)).keys()];
      assert.ok(!resources.includes(adminSecret) && !resources.includes(secretsKey), `${service} cannot read the admin token`);
    }
  });

  it("lets the dispatcher create and use retry tiers and write the DLQ, without reading the DLQ", () => {
    const g = grants(servicePolicy("dispatcher", arns));
    assert.deepEqual(
      [...g.get(topic(egressCluster, "wh.retry.*"))!].sort(),
      ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"],
    );
    assert.ok(!g.get(topic(egressCluster, "wh.dlq.*"))!.has("kafka-cluster:ReadData"));
  });

  it("puts both roles' grants on one cluster when config maps ingress and egress to the same one", () => {
    const shared = servicePolicy("processor", { ...arns, kafkaClusterArns: { ingress: ingressCluster, egress: ingressCluster } });
    const resources = [...grants(shared).keys()];
    assert.ok(resources.includes(topic(ingressCluster, "wh.egress.*")));
    assert.ok(!resources.some((r) => r.includes("webhooks-prod-msk-egress")));
  });

  it("refuses a cluster ARN that is not an MSK cluster's, naming it", () => {
    assert.throws(
      () => servicePolicy("gateway", { ...arns, kafkaClusterArns: { ingress: "arn:aws:kafka:us-east-1:123456789012:cluster/*", egress: egressCluster } }),
      /not an MSK cluster ARN: "arn:aws:kafka:us-east-1:123456789012:cluster\/\*"/,
    );
  });
});

describe("broadDataResources", () => {
  const policy = (Action: string[], Resource: string[]): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Sid: "Bad", Effect: "Allow", Action, Resource }],
  });

  it("flags a data action on *", () => {
    const found = broadDataResources(policy(["dynamodb:GetItem"], ["*"]));
    assert.deepEqual(found, [{ sid: "Bad", action: "dynamodb:GetItem", resource: "*", reason: "is every resource" }]);
  });

  it("flags every table of the account, every topic of a cluster and a wildcard account", () => {
    const bad = [
      `arn:aws:dynamodb:us-east-1:${account}:table/*`,
      kafkaResourceArn(egressCluster, "topic", "*"),
      "arn:aws:secretsmanager:us-east-1:*:secret:webhooks/prod/admin-token-AbCdEf",
      `arn:aws:glue:us-east-1:${account}:schema/*/orders.created`,
    ];
    const found = broadDataResources(policy(["dynamodb:Query", "kafka-cluster:ReadData"], bad));
    assert.deepEqual(new Set(found.map((f) => f.resource)), new Set(bad));
  });

  it("flags a service-wide action wildcard even on an exact resource", () => {
    assert.equal(broadDataResources(policy(["dynamodb:*"], [tableArn("eventSchema")]))[0]?.reason, "grants every action of the service");
  });

  it("accepts prefix patterns scoped to a cluster and the schemas of one registry", () => {
    assert.deepEqual(broadDataResources(policy(["kafka-cluster:ReadData", "glue:GetSchema"], [topic(egressCluster, "wh.retry.*"), schemas])), []);
  });

  it("leaves non-data actions alone (sts, logs)", () => {
    assert.deepEqual(broadDataResources(policy(["sts:GetCallerIdentity"], ["*"])), []);
  });
});
