import { allResources, optionsOf, recordOptions, resetResources, resourcesOfType, settle, valueOf } from "../support/pulumi-mocks";
import * as pulumi from "@pulumi/pulumi";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadPlatformConfig, type PlatformConfig } from "../../config";
import { buildPlatform, type Platform } from "../../components/platform";
import { buildKubernetesTiers, type KubernetesTiers } from "../../components/kubernetes-tiers";
import { Cluster } from "../../components/cluster";
import { Services } from "../../components/services";
import { broadDataResources } from "../../components/iam-policies";
import { mskIamPort } from "../../model/ports";
import { serviceNames } from "../../model/access";
import { otlpEndpoint } from "../../components/observability";
import { loadContracts } from "../../model/contracts";
import { stackFileSource } from "../support/stack-file";

// eks.Cluster is opaque under mocks and the shared mocks do not model its outputs (nor an
// ECR repository's URL) yet: answer them on top of the shared mocks.
const monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
const sharedMocks = monitor.mocks;
monitor.mocks = {
  newResource(args) {
    const result = sharedMocks.newResource(args) as { id: string; state: Record<string, unknown> };
    if (args.type === "eks:index:Cluster") {
      return {
        ...result,
        state: {
          kubeconfigJson: '{"apiVersion":"v1","kind":"Config"}',
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/PROD",
          oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/PROD",
          clusterSecurityGroupId: "sg-eks-cluster",
          ...result.state,
        },
      };
    }
    if (args.type === "aws:ecr/repository:Repository") {
      return { ...result, state: { repositoryUrl: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${args.inputs.name}`, ...result.state } };
    }
    return result;
  },
  call: (args) => sharedMocks.call(args),
};

/** Types AWS gives no tags. */
const untaggable = new Set([
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:route53/record:Record",
  "aws:acm/certificateValidation:CertificateValidation",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
]);

describe("cluster and services composed onto the prod stack's tiers", () => {
  let config: PlatformConfig;
  let platform: Platform;
  let outputs: KubernetesTiers["outputs"];
  before(async () => {
    resetResources();
    config = loadPlatformConfig(stackFileSource("prod"));
    platform = buildPlatform(config, loadContracts(), { transformations: [recordOptions] });
    // Once buildPlatform composes these tiers itself, test what it built; until then compose here.
    const wired = "clusterName" in platform.outputs;
    outputs = wired
      ? (platform.outputs as KubernetesTiers["outputs"])
      : buildKubernetesTiers(config, platform, { transformations: [recordOptions], providers: [platform.provider] }).outputs;
    await settle();
  });

  it("admits the EKS cluster security group to the MSK brokers on the IAM port, from nothing wider", () => {
    const rules = resourcesOfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name === "webhooks-prod-msk-from-eks");
    assert.equal(rules.length, 1);
    const rule = rules[0]!;
    assert.equal(rule.inputs.securityGroupId, "sg-platform-events-prod-sg");
    assert.equal(rule.inputs.referencedSecurityGroupId, "sg-eks-cluster");
    assert.equal(rule.inputs.fromPort, mskIamPort);
    assert.equal(rule.inputs.toPort, mskIamPort);
    assert.equal(rule.inputs.cidrIpv4, undefined);
  });

  it("builds the IRSA policies from the real tiers' ARNs: the MSK clusters, the tables, the registry, the secret", () => {
    const policies = resourcesOfType("aws:iam/rolePolicy:RolePolicy").filter((p) => /^webhooks-prod-(gateway|admin|processor|dispatcher)$/.test(p.name));
    assert.equal(policies.length, 4);
    const admin = JSON.parse(policies.find((p) => p.name === "webhooks-prod-admin")!.inputs.policy);
    const resources = admin.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    assert.ok(resources.includes("arn:aws:kafka:us-east-1:123456789012:cluster/webhooks-prod-msk-ingress/uuid-1"));
    assert.ok(resources.includes("arn:aws:kafka:us-east-1:123456789012:topic/webhooks-prod-msk-egress/uuid-1/wh.egress.*"));
    assert.ok(resources.includes("arn:aws:dynamodb:us-east-1:123456789012:table/event_schema/index/status-index"));
    assert.ok(resources.includes("arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks/prod/admin-token-AbCdEf"));
    assert.ok(resources.includes("arn:aws:kms:us-east-1:123456789012:key/webhooks-prod-secrets-key"));
    for (const p of policies) assert.deepEqual(broadDataResources(JSON.parse(p.inputs.policy)), [], p.name);
  });

  it("encrypts Kubernetes secrets with the eks CMK of the keys tier", () => {
    const [cluster] = resourcesOfType("eks:index:Cluster");
    assert.equal(cluster!.inputs.encryptionConfigKeyArn, "arn:aws:kms:us-east-1:123456789012:key/webhooks-prod-eks-key");
    assert.deepEqual(cluster!.inputs.privateSubnetIds, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
  });

  it("gives the gateway's ALB the validated certificate of the stack's domain", () => {
    const [release] = resourcesOfType("kubernetes:helm.sh/v3:Release").filter((r) => r.name === "webhooks-prod-gateway-release");
    assert.equal(release!.inputs.values.ingress.host, config.ingress.domain);
    assert.match(release!.inputs.values.ingress.certificateArn, /^arn:aws:/);
  });

  it("points every service at the observability tier's OTLP collector (the chart's OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
    const releases = resourcesOfType("kubernetes:helm.sh/v3:Release").filter((r) => /^webhooks-prod-(gateway|admin|processor|dispatcher)-release$/.test(r.name));
    assert.deepEqual(releases.map((r) => r.name).sort(), serviceNames.map((s) => `webhooks-prod-${s}-release`).sort());
    for (const release of releases) assert.equal(release.inputs.values.config.otelEndpoint, otlpEndpoint, release.name);
    assert.equal(otlpEndpoint, "http://otel-collector.observability.svc.cluster.local:4318");
  });

  it("registers every AWS resource of the two tiers through the stack's provider, tagged with its component", () => {
    const ownTier = (type: string, name: string) => {
      const parent = optionsOf(type, name).parent;
      return parent instanceof Cluster || parent instanceof Services;
    };
    const mine = allResources().filter((r) => r.custom && r.type.startsWith("aws:") && ownTier(r.type, r.name));
    assert.ok(mine.length > 10);
    for (const r of mine) {
      assert.ok(r.provider.includes("::pulumi:providers:aws::webhooks-prod-aws::"), `${r.type} ${r.name} uses ${r.provider}`);
      if (!untaggable.has(r.type)) assert.ok(r.inputs.tags?.component, `${r.type} ${r.name} has a component tag`);
    }
  });

  it("exports the cluster, a secret kubeconfig, the repositories, the IRSA roles and the gateway URL", async () => {
    const o = outputs;
    assert.equal(await valueOf(o.clusterName as string), "webhooks-prod-eks");
    assert.equal(await pulumi.isSecret(pulumi.output(o.kubeconfig)), true);
    assert.equal(await valueOf((o.repositoryUrls as Record<string, pulumi.Output<string>>).gateway!), "123456789012.dkr.ecr.us-east-1.amazonaws.com/webhooks-prod-gateway");
    assert.equal(await valueOf((o.serviceRoleArns as Record<string, pulumi.Output<string>>).processor!), "arn:aws:iam::123456789012:role/webhooks-prod-processor");
    assert.equal(o.gatewayUrl, `https://${config.ingress.domain}`);
  });
});
