import { allResources, resetResources, settle, valueOf, type CapturedResource } from "../support/pulumi-mocks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { envs, loadPlatformConfig, type Env, type PlatformConfig } from "../../config";
import { serviceNames, type ServiceName } from "../../model/access";
import { serviceNamespaces } from "../../model/kubernetes";
import { tableIds, tables, type TableId } from "../../model/tables";
import { broadDataResources, servicePolicy, type PolicyDocument } from "../../components/iam-policies";
import { Services, dockerfilePath, imageSourceTag, repoRoot } from "../../components/services";
import { kafkaRolesOf } from "../../charts/values-schema";
import { Helm, validateManifests } from "../charts/helm";
import { stackFileSource } from "../support/stack-file";

// The shared mocks do not answer an ECR repository's URL yet; add it on top of them.
const monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
const sharedMocks = monitor.mocks;
monitor.mocks = {
  newResource(args) {
    const result = sharedMocks.newResource(args) as { id: string; state: Record<string, unknown> };
    if (args.type !== "aws:ecr/repository:Repository") return result;
    return { ...result, state: { repositoryUrl: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${args.inputs.name}`, ...result.state } };
  },
  call: (args) => sharedMocks.call(args),
};

const account = "123456789012";
const oidcIssuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123";
const oidcProviderArn = `arn:aws:iam::${account}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123`;
const clusterArn = (env: Env, role: string) => `arn:aws:kafka:us-east-1:${account}:cluster/webhooks-${env}-msk-${role}/uuid-1`;
const brokers = (env: Env, role: string) => [1, 2, 3].map((i) => `b-${i}.webhooks-${env}-msk-${role}.abc.c2.kafka.us-east-1.amazonaws.com:9098`).join(",");
const tableArn = (id: TableId) => `arn:aws:dynamodb:us-east-1:${account}:table/${tables[id].name}`;
const registryArn = (env: Env) => `arn:aws:glue:us-east-1:${account}:registry/webhooks-${env}-schemas`;
const secretArn = (env: Env) => `arn:aws:secretsmanager:us-east-1:${account}:secret:webhooks/${env}/admin-token-AbCdEf`;
const secretsKeyArn = (env: Env) => `arn:aws:kms:us-east-1:${account}:key/webhooks-${env}-secrets-key`;
const certificateArn = (env: Env) => `arn:aws:acm:us-east-1:${account}:certificate/${env}-0000-1111`;

interface Built {
  config: PlatformConfig;
  component: Services;
  resources: CapturedResource[];
}

async function build(env: Env): Promise<Built> {
  resetResources();
  const config = loadPlatformConfig(stackFileSource(env));
  const provider = new k8s.Provider(`k8s-${env}`, { kubeconfig: "{}" });
  const kafkaCluster = (role: "ingress" | "egress") => config.kafka.roles[role];
  const component = new Services(`services-${env}`, {
    env,
    region: config.region,
    services: config.services,
    keepImages: config.images.keepLastN,
    imageTag: "src-test",
    vpcCidr: config.network.vpcCidr,
    topicPartitions: config.kafka.topicPartitions,
    idempotencyTtlHours: config.dataStore.idempotencyTtlHours,
    cluster: { oidcProviderArn, oidcIssuer, provider, ready: [] },
    kafka: {
      bootstrapBrokers: { ingress: brokers(env, kafkaCluster("ingress")), egress: brokers(env, kafkaCluster("egress")) },
      clusterArns: { ingress: clusterArn(env, kafkaCluster("ingress")), egress: clusterArn(env, kafkaCluster("egress")) },
    },
    tableArns: Object.fromEntries(tableIds.map((id) => [id, tableArn(id)])) as Record<TableId, string>,
    schemaRegistry: { name: `webhooks-${env}-schemas`, arn: registryArn(env) },
    secretArns: { adminToken: secretArn(env) },
    secretsKeyArn: secretsKeyArn(env),
    ingress: { scheme: config.ingress.scheme, domain: config.ingress.domain, certificateArn: config.ingress.domain ? certificateArn(env) : undefined },
  });
  await settle();
  return { config, component, resources: [...allResources()] };
}

const ofType = (b: Built, type: string) => b.resources.filter((r) => r.type === type);
const named = (b: Built, type: string, name: string) => {
  const found = ofType(b, type).find((r) => r.name === name);
  assert.ok(found, `${type} ${name} is registered`);
  return found;
};

describe("Services tier", () => {
  const built = {} as Record<Env, Built>;
  let helm: Helm | undefined;
  before(async () => {
    for (const env of envs) built[env] = await build(env);
  });
  after(() => helm?.cleanup());

  for (const env of envs) {
    it(`${env}: gives each service an ECR repository that scans on push, keeps tags immutable and keeps the stack's last N images`, () => {
      for (const service of serviceNames) {
        const repo = named(built[env], "aws:ecr/repository:Repository", `webhooks-${env}-${service}`);
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        const lifecycle = JSON.parse(named(built[env], "aws:ecr/lifecyclePolicy:LifecyclePolicy", `webhooks-${env}-${service}`).inputs.policy);
        const keep = lifecycle.rules.find((r: any) => r.selection.tagStatus === "any");
        assert.equal(keep.selection.countType, "imageCountMoreThan");
        assert.equal(keep.selection.countNumber, built[env].config.images.keepLastN);
        assert.equal(keep.rulePriority, Math.max(...lifecycle.rules.map((r: any) => r.rulePriority)), "the catch-all rule comes last");
      }
    });

    it(`${env}: builds each image from apps/Dockerfile for linux/arm64 with its SERVICE`, () => {
      for (const service of serviceNames) {
        const image = named(built[env], "awsx:ecr:Image", `webhooks-${env}-${service}-image`);
        assert.equal(image.inputs.dockerfile, dockerfilePath);
        assert.equal(image.inputs.context, repoRoot);
        assert.equal(image.inputs.platform, "linux/arm64");
        assert.deepEqual(image.inputs.args, { SERVICE: service });
        assert.equal(image.inputs.repositoryUrl, `123456789012.dkr.ecr.us-east-1.amazonaws.com/webhooks-${env}-${service}`);
        assert.equal(image.inputs.imageTag, "src-test");
      }
    });

    it(`${env}: trusts each IRSA role to the service's ServiceAccount only, through the cluster's OIDC provider`, () => {
      for (const service of serviceNames) {
        const trust = JSON.parse(named(built[env], "aws:iam/role:Role", `webhooks-${env}-${service}`).inputs.assumeRolePolicy);
        assert.equal(trust.Statement.length, 1);
        assert.deepEqual(trust.Statement[0].Principal, { Federated: oidcProviderArn });
        assert.equal(trust.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
          "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:sub": `system:serviceaccount:${serviceNamespaces[service]}:${service}`,
          "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:aud": "sts.amazonaws.com",
        });
      }
    });

    it(`${env}: attaches to each role exactly the policy model/access.ts gives the service, with no data action on *`, () => {
      const config = built[env].config;
      for (const service of serviceNames) {
        const policy = JSON.parse(named(built[env], "aws:iam/rolePolicy:RolePolicy", `webhooks-${env}-${service}`).inputs.policy) as PolicyDocument;
        const expected = servicePolicy(service, {
          region: "us-east-1",
          kafkaClusterArns: { ingress: clusterArn(env, config.kafka.roles.ingress), egress: clusterArn(env, config.kafka.roles.egress) },
          tableArns: Object.fromEntries(tableIds.map((id) => [id, tableArn(id)])) as Record<TableId, string>,
          glueRegistryArn: registryArn(env),
          secretArns: { adminToken: secretArn(env) },
          secretsKeyArn: secretsKeyArn(env),
        });
        assert.deepEqual(policy, expected);
        assert.deepEqual(broadDataResources(policy), []);
      }
    });

    it(`${env}: installs each chart in the service's namespace with the stack file's sizing and the infrastructure's outputs`, async () => {
      const { config, component } = built[env];
      for (const service of serviceNames) {
        const release = named(built[env], "kubernetes:helm.sh/v3:Release", `webhooks-${env}-${service}-release`);
        const spec = config.services[service];
        const v = release.inputs.values;
        assert.equal(release.inputs.name, service);
        assert.equal(release.inputs.namespace, serviceNamespaces[service]);
        assert.equal(release.inputs.chart, join(repoRoot, "charts", service));
        assert.ok(existsSync(join(release.inputs.chart, "Chart.yaml")));
        assert.equal(v.replicaCount, spec.replicas);
        assert.deepEqual(v.autoscaling, spec.autoscaling);
        assert.deepEqual(v.resources, { requests: { cpu: spec.resources.cpuRequest, memory: spec.resources.memoryRequest }, limits: { memory: spec.resources.memoryLimit } });
        const floor = spec.autoscaling.enabled ? spec.autoscaling.minReplicas : spec.replicas;
        assert.deepEqual(v.podDisruptionBudget, { minAvailable: floor >= 2 ? 1 : 0 });
        if (env === "prod") assert.equal(v.podDisruptionBudget.minAvailable, 1, `${service} keeps one pod through disruptions in prod`);
        assert.deepEqual(v.image, { repository: `123456789012.dkr.ecr.us-east-1.amazonaws.com/webhooks-${env}-${service}`, tag: "src-test", pullPolicy: "IfNotPresent" });
        assert.deepEqual(v.serviceAccount, { name: service, roleArn: await valueOf(component.roleArns[service]) });
        const roles = kafkaRolesOf(service);
        assert.equal(v.config.kafka.auth, "aws-iam");
        assert.equal(v.config.kafka.ingressBrokers, roles.includes("ingress") ? brokers(env, config.kafka.roles.ingress) : "");
        assert.equal(v.config.kafka.egressBrokers, roles.includes("egress") ? brokers(env, config.kafka.roles.egress) : "");
        assert.equal(v.networkPolicy.egress.find((r: any) => r.name === "kafka").to[0].cidr, config.network.vpcCidr);
      }
    });

    it(`${env}: puts the gateway behind an ALB with the configured scheme, and the certificate where a domain is set`, () => {
      const { config } = built[env];
      const v = named(built[env], "kubernetes:helm.sh/v3:Release", `webhooks-${env}-gateway-release`).inputs.values;
      assert.equal(v.ingress.scheme, config.ingress.scheme);
      assert.equal(v.ingress.host, config.ingress.domain ?? "");
      assert.equal(v.ingress.certificateArn, config.ingress.domain ? certificateArn(env) : "");
      for (const service of ["admin", "processor", "dispatcher"] as ServiceName[]) {
        const other = named(built[env], "kubernetes:helm.sh/v3:Release", `webhooks-${env}-${service}-release`).inputs.values;
        assert.equal(other.ingress, undefined, `${service} has no ingress`);
      }
    });
  }

  it("points the admin API at its secret and Glue registry, and the services at the stack's topic partitions", () => {
    const v = (service: ServiceName) => named(built.prod, "kubernetes:helm.sh/v3:Release", `webhooks-prod-${service}-release`).inputs.values;
    assert.equal(v("admin").env.ADMIN_TOKEN_SECRET_ID, secretArn("prod"));
    assert.equal(v("admin").env.GLUE_REGISTRY_NAME, "webhooks-prod-schemas");
    assert.equal(v("gateway").env.SCHEMA_REGISTRY, "glue");
    assert.equal(v("gateway").env.IDEMPOTENCY_TTL_HOURS, String(built.prod.config.dataStore.idempotencyTtlHours));
    assert.equal(v("dispatcher").env.KAFKA_TOPIC_PARTITIONS, String(built.prod.config.kafka.topicPartitions));
  });

  it("exports the repository URLs and role ARNs, and the gateway URL where a domain is set", async () => {
    assert.equal(await valueOf(built.staging.component.repositoryUrls.gateway), "123456789012.dkr.ecr.us-east-1.amazonaws.com/webhooks-staging-gateway");
    assert.equal(await valueOf(built.staging.component.roleArns.dispatcher), "arn:aws:iam::123456789012:role/webhooks-staging-dispatcher");
    assert.equal(built.staging.component.gatewayUrl, `https://${built.staging.config.ingress.domain}`);
    assert.equal(built.dev.component.gatewayUrl, undefined);
  });

  it("renders every chart with the values the component passes, passing the charts' strict schemas and the Kubernetes 1.31 schemas", () => {
    helm = Helm.prepare();
    const files: string[] = [];
    for (const env of envs) {
      for (const service of serviceNames) {
        const release = named(built[env], "kubernetes:helm.sh/v3:Release", `webhooks-${env}-${service}-release`);
        const valuesFile = helm.valuesFile(`component-${env}-${service}`, stringify(release.inputs.values));
        files.push(helm.renderToFile(service, serviceNamespaces[service], [valuesFile], `component-${env}-${service}-rendered`).file);
      }
    }
    const result = validateManifests(files);
    assert.ok(result.ok, result.failures.join("\n"));
  });

  it("tags images by a digest of their sources, stable while the sources are unchanged", () => {
    const tag = imageSourceTag();
    assert.match(tag, /^src-[0-9a-f]{16}$/);
    assert.equal(imageSourceTag(), tag);
  });
});
