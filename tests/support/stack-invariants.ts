// Builds a whole stack under mocks from its own Pulumi.<env>.yaml and checks the invariants
// every stack must keep, over EVERY captured resource. Each tests/stacks/<env>.test.ts calls
// these (one env per file: the program registers resources into one process-wide mock).

import { allCalls, allOptions, allResources, recordOptions, resetResources, resourcesOfType, settle, type CapturedResource } from "./pulumi-mocks";
import { it } from "node:test";
import assert from "node:assert/strict";
import { cloudWatchRetentionDays, loadPlatformConfig, type Env, type PlatformConfig } from "../../config";
import { buildPlatform, type Platform } from "../../components/platform";
import { loadContracts } from "../../model/contracts";
import { stackFileSource } from "./stack-file";
import { broadDataResources } from "../../components/iam-policies";

export interface BuiltStack {
  config: PlatformConfig;
  platform: Platform;
}

export async function buildStack(env: Env): Promise<BuiltStack> {
  resetResources();
  const config = loadPlatformConfig(stackFileSource(env));
  const platform = buildPlatform(config, loadContracts(), { transformations: [recordOptions] });
  await settle();
  return { config, platform };
}

/** AWS resource types that take no tags (so they carry none); every other aws:* resource must have a `component` tag. */
export const untaggableTypes = new Set([
  "aws:kms/alias:Alias",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:appautoscaling/policy:Policy",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:msk/configuration:Configuration",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:route53/record:Record",
  "aws:acm/certificateValidation:CertificateValidation",
  "aws:amp/alertManagerDefinition:AlertManagerDefinition",
  "aws:grafana/workspaceSamlConfiguration:WorkspaceSamlConfiguration",
]);

const awsResources = () => allResources().filter((r) => r.custom && r.type.startsWith("aws:"));

function tagsOf(r: CapturedResource): Record<string, string> | undefined {
  return r.inputs.tags as Record<string, string> | undefined;
}

function asObject(v: unknown): Record<string, any> {
  return typeof v === "string" ? JSON.parse(v) : (v as Record<string, any>);
}

/** Registers the invariant tests; `stack` is resolved by the caller's before(). */
export function stackInvariants(env: Env, stack: () => BuiltStack): void {
  const keyArn = (purpose: string) => `arn:aws:kms:us-east-1:123456789012:key/webhooks-${env}-${purpose}-key`;

  it("registers every AWS resource through the stack's explicit provider", () => {
    const [provider] = resourcesOfType("pulumi:providers:aws");
    assert.ok(provider, "no explicit aws provider");
    assert.equal(resourcesOfType("pulumi:providers:aws").length, 1);
    const expected = `::pulumi:providers:aws::webhooks-${env}-aws::`;
    for (const r of awsResources()) assert.ok(r.provider.includes(expected), `${r.type} ${r.name} uses provider "${r.provider}"`);
    assert.ok(allCalls().length > 0);
    for (const c of allCalls()) assert.ok(c.provider.includes(expected), `data source ${c.token} uses provider "${c.provider}"`);
  });

  it("puts environment, owner, cost centre, project and managed-by on every resource through the provider's default tags", () => {
    const provider = resourcesOfType("pulumi:providers:aws")[0]!;
    assert.equal(provider.inputs.region, "us-east-1");
    const tags = asObject(provider.inputs.defaultTags).tags;
    assert.deepEqual(tags, {
      environment: env,
      owner: stack().config.tags.owner,
      "cost-center": stack().config.tags.costCenter,
      project: "webhooks",
      "managed-by": "pulumi",
    });
  });

  it("tags every taggable resource with its component", () => {
    for (const r of awsResources().filter((r) => !untaggableTypes.has(r.type))) {
      assert.ok(tagsOf(r)?.component, `${r.type} ${r.name} has no component tag`);
    }
    const [vpc] = resourcesOfType("awsx:ec2:Vpc");
    assert.equal(vpc!.inputs.tags.component, "network");
  });

  it("parents every resource to a tier component", () => {
    const recorded = new Map(allOptions().map((o) => [`${o.type}::${o.name}`, o.opts]));
    for (const r of allResources()) {
      if (r.type === "pulumi:providers:aws") continue;
      const opts = recorded.get(`${r.type}::${r.name}`);
      assert.ok(opts, `${r.type} ${r.name} was not created under a tier component`);
      if (!r.type.startsWith("platform:")) assert.ok(opts.parent, `${r.type} ${r.name} has no parent`);
    }
  });

  it("encrypts MSK at rest with the kafka CMK and in transit with TLS", () => {
    const clusters = resourcesOfType("aws:msk/cluster:Cluster");
    assert.ok(clusters.length > 0);
    for (const c of clusters) {
      assert.equal(c.inputs.encryptionInfo.encryptionAtRestKmsKeyArn, keyArn("kafka"));
      assert.equal(c.inputs.encryptionInfo.encryptionInTransit.clientBroker, "TLS");
      assert.equal(c.inputs.encryptionInfo.encryptionInTransit.inCluster, true);
      assert.equal(c.inputs.clientAuthentication.unauthenticated, false);
    }
  });

  it("encrypts every table with the dynamodb CMK and keeps point-in-time recovery on", () => {
    for (const t of resourcesOfType("aws:dynamodb/table:Table")) {
      assert.deepEqual(t.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: keyArn("dynamodb") }, t.inputs.name);
      assert.equal(t.inputs.pointInTimeRecovery.enabled, true, t.inputs.name);
    }
  });

  it("encrypts every secret with the secrets CMK", () => {
    const secrets = resourcesOfType("aws:secretsmanager/secret:Secret");
    assert.ok(secrets.length > 0);
    for (const s of secrets) assert.equal(s.inputs.kmsKeyId, keyArn("secrets"), s.inputs.name);
  });

  it("gives every log group a retention CloudWatch accepts and the logs CMK", () => {
    const groups = resourcesOfType("aws:cloudwatch/logGroup:LogGroup");
    assert.ok(groups.length >= 2);
    for (const g of groups) {
      assert.equal(g.inputs.retentionInDays, stack().config.observability.logRetentionDays, g.inputs.name);
      assert.ok((cloudWatchRetentionDays as readonly number[]).includes(g.inputs.retentionInDays));
      assert.equal(g.inputs.kmsKeyId, keyArn("logs"), g.inputs.name);
    }
  });

  it("rotates every KMS key", () => {
    for (const k of resourcesOfType("aws:kms/key:Key")) assert.equal(k.inputs.enableKeyRotation, true, k.name);
  });

  it("admits nothing from 0.0.0.0/0 or ::/0", () => {
    const open = (cidr: unknown) => cidr === "0.0.0.0/0" || cidr === "::/0";
    for (const r of resourcesOfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
      assert.ok(!open(r.inputs.cidrIpv4) && !open(r.inputs.cidrIpv6), `${r.name} is open to the internet`);
    }
    for (const sg of resourcesOfType("aws:ec2/securityGroup:SecurityGroup")) {
      for (const rule of sg.inputs.ingress ?? []) {
        assert.ok(![...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some(open), `${sg.name} has an open inline ingress`);
      }
    }
    assert.equal(resourcesOfType("aws:ec2/securityGroupRule:SecurityGroupRule").filter((r) => r.inputs.type === "ingress" && (r.inputs.cidrBlocks ?? []).some(open)).length, 0);
  });

  it("grants no IAM data action on every resource (*)", () => {
    for (const p of resourcesOfType("aws:iam/rolePolicy:RolePolicy")) {
      assert.deepEqual(broadDataResources(JSON.parse(p.inputs.policy)), [], p.name);
    }
  });

  it("registers one Glue schema per contract in contracts/", () => {
    const contracts = loadContracts();
    assert.ok(contracts.length > 0);
    assert.deepEqual(
      resourcesOfType("aws:glue/schema:Schema").map((s) => s.inputs.schemaName).sort(),
      contracts.map((c) => c.type).sort(),
    );
  });
}
