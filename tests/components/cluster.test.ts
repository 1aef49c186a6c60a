import { allResources, resetResources, settle, valueOf, type CapturedResource } from "../support/pulumi-mocks";
import * as pulumi from "@pulumi/pulumi";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { envs, loadPlatformConfig, type Env, type PlatformConfig } from "../../config";
import { namespaces } from "../../model/kubernetes";
import { Cluster, clusterAdminPolicyArn, loadBalancerController } from "../../components/cluster";
import { broadDataResources, type PolicyDocument } from "../../components/iam-policies";
import { stackFileSource } from "../support/stack-file";

// eks.Cluster is a multi-language component: under mocks it is one opaque resource whose
// outputs the shared mocks do not model yet. Answer the four this tier reads, on top of them.
const eksOutputs = (name: string) => ({
  kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name }] }),
  oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${name.toUpperCase()}`,
  oidcIssuer: `oidc.eks.us-east-1.amazonaws.com/id/${name.toUpperCase()}`,
  clusterSecurityGroupId: `sg-${name}-cluster`,
});
const monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
const sharedMocks = monitor.mocks;
monitor.mocks = {
  newResource(args) {
    const result = sharedMocks.newResource(args) as { id: string; state: Record<string, unknown> };
    return args.type === "eks:index:Cluster" ? { ...result, state: { ...eksOutputs(args.name), ...result.state } } : result;
  },
  call: (args) => sharedMocks.call(args),
};

interface Built {
  config: PlatformConfig;
  component: Cluster;
  resources: CapturedResource[];
  admitted: { client: string; securityGroupId: string }[];
}

async function build(env: Env): Promise<Built> {
  resetResources();
  const config = loadPlatformConfig(stackFileSource(env));
  const pending: { client: string; securityGroupId: pulumi.Input<string> }[] = [];
  const component = new Cluster(`cluster-${env}`, {
    env,
    region: config.region,
    accountId: "123456789012",
    kubernetesVersion: config.cluster.kubernetesVersion,
    adminRoleArns: config.cluster.adminRoleArns,
    endpointPublicAccess: config.cluster.endpointPublicAccess,
    nodeGroups: config.cluster.nodeGroups,
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-private-1", "subnet-private-2", "subnet-private-3"],
    publicSubnetIds: ["subnet-public-1", "subnet-public-2", "subnet-public-3"],
    eksKeyArn: `arn:aws:kms:us-east-1:123456789012:key/webhooks-${env}-eks-key`,
    ingress: config.ingress,
    kafka: { admitClient: (client, securityGroupId) => pending.push({ client, securityGroupId }) },
  });
  await settle();
  const admitted = await Promise.all(pending.map(async (p) => ({ client: p.client, securityGroupId: await valueOf(p.securityGroupId) })));
  return { config, component, resources: [...allResources()], admitted };
}

const ofType = (b: Built, type: string) => b.resources.filter((r) => r.type === type);
const eksArgs = (b: Built) => {
  const [cluster] = ofType(b, "eks:index:Cluster");
  assert.ok(cluster, "an eks.Cluster is registered");
  return cluster.inputs;
};

describe("Cluster tier", () => {
  const built = {} as Record<Env, Built>;
  before(async () => {
    for (const env of envs) built[env] = await build(env);
  });

  for (const env of envs) {
    it(`${env}: creates EKS at the stack file's version with a private endpoint, public access as configured, secrets encrypted with the eks CMK and an OIDC provider`, () => {
      const args = eksArgs(built[env]);
      const config = built[env].config;
      assert.equal(args.name, `webhooks-${env}-eks`);
      assert.equal(args.version, config.cluster.kubernetesVersion);
      assert.equal(args.endpointPrivateAccess, true);
      assert.equal(args.endpointPublicAccess, config.cluster.endpointPublicAccess);
      assert.equal(args.encryptionConfigKeyArn, `arn:aws:kms:us-east-1:123456789012:key/webhooks-${env}-eks-key`);
      assert.equal(args.createOidcProvider, true);
      assert.equal(args.skipDefaultNodeGroup, true);
      assert.deepEqual(args.privateSubnetIds, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
      assert.equal(args.vpcCniOptions.enableNetworkPolicy, true, "the VPC CNI enforces the charts' NetworkPolicies");
      assert.equal(args.corednsAddonOptions.enabled, true);
      assert.equal(args.kubeProxyAddonOptions.enabled, true);
      assert.deepEqual(args.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    });

    it(`${env}: authenticates through access entries, one cluster-admin entry per admin role in the stack file`, () => {
      const args = eksArgs(built[env]);
      assert.equal(args.authenticationMode, "API");
      const entries = Object.values(args.accessEntries ?? {}) as any[];
      assert.deepEqual(entries.map((e) => e.principalArn), built[env].config.cluster.adminRoleArns);
      for (const e of entries) {
        assert.deepEqual(Object.values(e.accessPolicies), [{ policyArn: clusterAdminPolicyArn, accessScope: { type: "cluster" } }]);
      }
    });

    it(`${env}: runs managed Graviton node groups in the private subnets, sized as the stack file says`, () => {
      const groups = ofType(built[env], "aws:eks/nodeGroup:NodeGroup");
      const specs = built[env].config.cluster.nodeGroups;
      assert.equal(groups.length, specs.length);
      for (const spec of specs) {
        const g = groups.find((x) => x.inputs.nodeGroupName === `webhooks-${env}-eks-${spec.name}`);
        assert.ok(g, `node group ${spec.name}`);
        assert.equal(g.inputs.clusterName, `webhooks-${env}-eks`);
        assert.equal(g.inputs.amiType, "AL2023_ARM_64_STANDARD");
        assert.deepEqual(g.inputs.instanceTypes, spec.instanceTypes);
        assert.deepEqual(g.inputs.scalingConfig, { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize });
        assert.equal(g.inputs.diskSize, spec.diskSizeGiB);
        assert.deepEqual(g.inputs.subnetIds, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
        for (const t of spec.instanceTypes) assert.match(t, /^[a-z]+[0-9]+g[a-z]*\./, `${t} is Graviton`);
      }
    });

    it(`${env}: admits only the cluster security group to MSK on the IAM port`, async () => {
      assert.deepEqual(built[env].admitted, [{ client: "eks", securityGroupId: `sg-webhooks-${env}-eks-cluster` }]);
      assert.equal(await valueOf(built[env].component.securityGroupId), `sg-webhooks-${env}-eks-cluster`);
    });

    it(`${env}: creates one namespace per tier, the services' under the restricted Pod Security Standard`, () => {
      const created = ofType(built[env], "kubernetes:core/v1:Namespace");
      assert.deepEqual(created.map((n) => n.inputs.metadata.name).sort(), Object.values(namespaces).sort());
      for (const n of created) {
        const enforce = n.inputs.metadata.labels["pod-security.kubernetes.io/enforce"];
        assert.equal(enforce, n.inputs.metadata.name === namespaces.observability ? "baseline" : "restricted", n.inputs.metadata.name);
      }
      const ingest = created.find((n) => n.inputs.metadata.name === namespaces.ingest)!;
      assert.equal(ingest.inputs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
    });
  }

  it("keeps the API endpoint private in prod and deletion protection on there only", () => {
    assert.equal(eksArgs(built.prod).endpointPublicAccess, false);
    assert.equal(eksArgs(built.prod).deletionProtection, true);
    assert.equal(eksArgs(built.dev).deletionProtection, false);
  });

  it("installs the AWS Load Balancer Controller in kube-system with an IRSA role trusted by its ServiceAccount only", async () => {
    const b = built.staging;
    const [release] = ofType(b, "kubernetes:helm.sh/v3:Release");
    assert.ok(release);
    assert.equal(release.inputs.chart, loadBalancerController.chart);
    assert.equal(release.inputs.namespace, "kube-system");
    assert.equal(release.inputs.repositoryOpts.repo, loadBalancerController.repo);
    const values = release.inputs.values;
    assert.equal(values.clusterName, "webhooks-staging-eks");
    assert.equal(values.serviceAccount.name, loadBalancerController.serviceAccount);
    const roleArn = await valueOf(b.component.loadBalancerControllerRoleArn);
    assert.equal(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], roleArn);

    const role = ofType(b, "aws:iam/role:Role").find((r) => r.inputs.name === "webhooks-staging-aws-load-balancer-controller")!;
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Principal, { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/WEBHOOKS-STAGING-EKS" });
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      "oidc.eks.us-east-1.amazonaws.com/id/WEBHOOKS-STAGING-EKS:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
      "oidc.eks.us-east-1.amazonaws.com/id/WEBHOOKS-STAGING-EKS:aud": "sts.amazonaws.com",
    });
    const [policy] = ofType(b, "aws:iam/rolePolicy:RolePolicy");
    const doc = JSON.parse(policy!.inputs.policy) as PolicyDocument;
    assert.deepEqual(broadDataResources(doc), [], "no data action");
    for (const s of doc.Statement.filter((x) => x.Resource.includes("*"))) {
      for (const a of s.Action) assert.match(a, /:(Describe|List|Get)[A-Za-z]*$/, `${a} is granted on * but is not read-only discovery`);
    }
  });

  it("issues a DNS-validated ACM certificate for the gateway where a domain and hosted zone are set, and none without", async () => {
    const staging = built.staging;
    const [cert] = ofType(staging, "aws:acm/certificate:Certificate");
    assert.equal(cert!.inputs.domainName, staging.config.ingress.domain);
    assert.equal(cert!.inputs.validationMethod, "DNS");
    const [record] = ofType(staging, "aws:route53/record:Record");
    assert.equal(record!.inputs.zoneId, staging.config.ingress.hostedZoneId);
    assert.equal(ofType(staging, "aws:acm/certificateValidation:CertificateValidation").length, 1);
    assert.ok(staging.component.certificateArn);

    assert.equal(built.dev.config.ingress.domain, undefined);
    assert.equal(ofType(built.dev, "aws:acm/certificate:Certificate").length, 0);
    assert.equal(built.dev.component.certificateArn, undefined);
  });

  it("exports the kubeconfig as a secret output", async () => {
    const kubeconfig = built.dev.component.kubeconfig;
    assert.equal(await pulumi.isSecret(kubeconfig), true);
    assert.match(await valueOf(kubeconfig), /"kind":"Config"/);
  });
});
