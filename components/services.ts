// Services tier: per service an ECR repository (scan on push, immutable tags, lifecycle
// policy), its image built from apps/Dockerfile for linux/arm64, an IRSA role trusted by the
// service's ServiceAccount only with the least-privilege policy generated from
// model/access.ts, and a Helm release of charts/<service> with values from the stack config
// and the infrastructure outputs.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as k8s from "@pulumi/kubernetes";
import type { Env, ServiceSpec } from "../config";
import { serviceNames, type ServiceName } from "../model/access";
import { serviceAccountSubject, serviceNamespaces } from "../model/kubernetes";
import type { SecretId } from "../model/secrets";
import type { TableId } from "../model/tables";
import { clusterRoles, type ClusterRole } from "../model/topics";
import type { WorkloadCluster } from "./cluster";
import { brokerServerProperties } from "./event-backbone";
import { irsaTrustPolicy, servicePolicy, type PlatformArns } from "./iam-policies";
import { componentTags, resourceName } from "./naming";
import { chartValues } from "./service-values";

export const repoRoot = resolve(__dirname, "..");
export const dockerfilePath = join(repoRoot, "apps", "Dockerfile");
export const imagePlatform = "linux/arm64";

export interface ServicesArgs {
  env: Env;
  region: string;
  services: Record<ServiceName, ServiceSpec>;
  /** ECR keeps this many images per repository. */
  keepImages: number;
  /** Tag of the images; defaults to a digest of the sources the image is built from. */
  imageTag?: string;
  vpcCidr: string;
  topicPartitions: number;
  idempotencyTtlHours: number;
  cluster: WorkloadCluster;
  kafka: { bootstrapBrokers: Record<ClusterRole, pulumi.Input<string>>; clusterArns: Record<ClusterRole, pulumi.Input<string>> };
  tableArns: Record<TableId, pulumi.Input<string>>;
  schemaRegistry: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  secretArns: Record<SecretId, pulumi.Input<string>>;
  secretsKeyArn: pulumi.Input<string>;
  ingress: { scheme: "internet-facing" | "internal"; domain?: string; certificateArn?: pulumi.Input<string> };
  /** OTLP endpoint of the collector; empty: no export. */
  otelEndpoint?: string;
}

/** Paths under the repository the image is built from (apps/Dockerfile copies exactly these). */
const imageSources = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "apps", "model"];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)))
    .filter((f) => !f.endsWith(".test.ts"));
}

/** A digest of the image's sources: the same sources give the same tag, so an unchanged image is not pushed again. */
export function imageSourceTag(root = repoRoot): string {
  const hash = createHash("sha256");
  for (const file of imageSources.flatMap((p) => filesUnder(join(root, p)))) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return `src-${hash.digest("hex").slice(0, 16)}`;
}

/** ECR lifecycle: expire untagged images after a day, keep the newest `keep` images. */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: "Expire untagged images after one day",
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

export class Services extends pulumi.ComponentResource {
  readonly repositoryUrls: Record<ServiceName, pulumi.Output<string>>;
  readonly roleArns: Record<ServiceName, pulumi.Output<string>>;
  readonly imageTag: string;
  /** `https://<domain>` when a domain is configured; otherwise the ALB's own name (see the runbook). */
  readonly gatewayUrl?: string;

  constructor(name: string, args: ServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:services:Services", name, {}, opts);
    this.imageTag = args.imageTag ?? imageSourceTag();
    if (args.ingress.domain) this.gatewayUrl = `https://${args.ingress.domain}`;
    const arns: pulumi.Output<Omit<PlatformArns, "region">> = pulumi
      .all([pulumi.all(args.kafka.clusterArns), pulumi.all(args.tableArns), args.schemaRegistry.arn, pulumi.all(args.secretArns), args.secretsKeyArn])
      .apply(([kafkaClusterArns, tableArns, glueRegistryArn, secretArns, secretsKeyArn]) => ({
        kafkaClusterArns: kafkaClusterArns as Record<ClusterRole, string>,
        tableArns: tableArns as Record<TableId, string>,
        glueRegistryArn,
        secretArns: secretArns as Record<SecretId, string>,
        secretsKeyArn,
      }));

    const repositoryUrls = {} as Record<ServiceName, pulumi.Output<string>>;
    const roleArns = {} as Record<ServiceName, pulumi.Output<string>>;
    for (const service of serviceNames) {
      const tags = componentTags("services", { service });
      const repository = this.repository(args, service, tags);
      const image = new awsx.ecr.Image(
        resourceName(args.env, `${service}-image`),
        {
          repositoryUrl: repository.repositoryUrl,
          context: repoRoot,
          dockerfile: dockerfilePath,
          platform: imagePlatform,
          args: { SERVICE: service },
          imageTag: this.imageTag,
        },
        { parent: this },
      );
      const { role, policy } = this.irsaRole(args, service, arns, tags);
      this.release(args, service, { repositoryUrl: repository.repositoryUrl, roleArn: role.arn }, [image, policy]);
      repositoryUrls[service] = repository.repositoryUrl;
      roleArns[service] = role.arn;
    }
    this.repositoryUrls = repositoryUrls;
    this.roleArns = roleArns;
    this.registerOutputs({ repositoryUrls, roleArns, imageTag: this.imageTag, gatewayUrl: this.gatewayUrl });
  }

  private repository(args: ServicesArgs, service: ServiceName, tags: Record<string, string>): aws.ecr.Repository {
    const name = resourceName(args.env, service);
    const repository = new aws.ecr.Repository(
      name,
      {
        name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS" }],
        forceDelete: args.env !== "prod",
        tags,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(name, { repository: repository.name, policy: lifecyclePolicy(args.keepImages) }, { parent: this });
    return repository;
  }

  private irsaRole(
    args: ServicesArgs,
    service: ServiceName,
    arns: pulumi.Output<Omit<PlatformArns, "region">>,
    tags: Record<string, string>,
  ): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const name = resourceName(args.env, service);
    const role = new aws.iam.Role(
      name,
      {
        name,
        description: `IRSA role of the ${service} service (ServiceAccount ${serviceAccountSubject(service)})`,
        assumeRolePolicy: pulumi
          .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
          .apply(([providerArn, issuer]) => JSON.stringify(irsaTrustPolicy(providerArn, issuer, serviceAccountSubject(service)))),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      name,
      {
        name,
        role: role.name,
        policy: arns.apply((resolved) => JSON.stringify(servicePolicy(service, { region: args.region, ...resolved }))),
      },
      { parent: this },
    );
    return { role, policy };
  }

  private release(
    args: ServicesArgs,
    service: ServiceName,
    built: { repositoryUrl: pulumi.Output<string>; roleArn: pulumi.Output<string> },
    dependsOn: pulumi.Resource[],
  ): k8s.helm.v3.Release {
    const values = chartValues(service, {
      env: args.env,
      region: args.region,
      spec: args.services[service],
      vpcCidr: args.vpcCidr,
      imageRepository: built.repositoryUrl,
      imageTag: this.imageTag,
      roleArn: built.roleArn,
      brokers: Object.fromEntries(clusterRoles.map((r) => [r, args.kafka.bootstrapBrokers[r]])) as Record<ClusterRole, pulumi.Input<string>>,
      environment: {
        glueRegistryName: args.schemaRegistry.name,
        adminTokenSecretId: args.secretArns.adminToken,
        topicPartitions: args.topicPartitions,
        replicationFactor: Number(brokerServerProperties(args.topicPartitions)["default.replication.factor"]),
        idempotencyTtlHours: args.idempotencyTtlHours,
      },
      otelEndpoint: args.otelEndpoint ?? "",
      ingress: { scheme: args.ingress.scheme, host: args.ingress.domain ?? "", certificateArn: args.ingress.certificateArn ?? "" },
    });
    return new k8s.helm.v3.Release(
      resourceName(args.env, `${service}-release`),
      {
        name: service,
        chart: join(repoRoot, "charts", service),
        namespace: serviceNamespaces[service],
        createNamespace: false,
        // Vendors charts/platform-lib into the chart before installing.
        dependencyUpdate: true,
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
        values,
      },
      { parent: this, provider: args.cluster.provider, dependsOn: [...dependsOn, ...args.cluster.ready] },
    );
  }
}
