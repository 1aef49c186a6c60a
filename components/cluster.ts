// Cluster tier: Amazon EKS through @pulumi/eks v4. API authentication mode with access
// entries for the configured admin roles, a private endpoint (public access per config, never
// in prod), Kubernetes secrets encrypted with the eks CMK, an OIDC provider for IRSA, managed
// Graviton node groups in the private subnets, the VPC CNI with network policy enforcement
// (the charts' NetworkPolicies depend on it), CoreDNS and kube-proxy as managed add-ons, one
// namespace per tier, the AWS Load Balancer Controller, and the ACM certificate of the gateway
// when a domain and hosted zone are configured. The pods reach MSK on the IAM port: the MSK
// security group admits the cluster security group, nothing wider.
//
// Add-ons left out on purpose: eks-pod-identity-agent (the services use IRSA) and the EBS CSI
// driver (nothing in the cluster mounts a volume).

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import type { Env, NodeGroupSpec } from "../config";
import { namespaces, type NamespaceId } from "../model/kubernetes";
import { irsaTrustPolicy } from "./iam-policies";
import { loadBalancerControllerPolicy } from "./load-balancer-controller-policy";
import { componentTags, resourceName } from "./naming";

export const clusterAdminPolicyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Node IAM role policies of managed node groups. */
export const nodeRolePolicyArns = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
] as const;

/** The AWS Load Balancer Controller, from its public Helm repository. */
export const loadBalancerController = {
  chart: "aws-load-balancer-controller",
  version: "1.13.0",
  repo: "https://aws.github.io/eks-charts",
  namespace: "kube-system",
  serviceAccount: "aws-load-balancer-controller",
} as const;

/** Pod Security Standard enforced per namespace: the services run restricted; the collector needs baseline. */
const podSecurity: Record<NamespaceId, "restricted" | "baseline"> = {
  ingest: "restricted",
  delivery: "restricted",
  admin: "restricted",
  observability: "baseline",
};

export interface IngressSettings {
  scheme: "internet-facing" | "internal";
  /** The gateway's DNS name; with hostedZoneId, a DNS-validated ACM certificate is issued for it. */
  domain?: string;
  hostedZoneId?: string;
}

/** What the MSK tier offers its clients: admission of a security group on the IAM port. */
export interface KafkaClientAdmission {
  admitClient(client: string, securityGroupId: pulumi.Input<string>): unknown;
}

export interface ClusterArgs {
  env: Env;
  region: string;
  accountId: pulumi.Input<string>;
  kubernetesVersion: string;
  adminRoleArns: string[];
  endpointPublicAccess: boolean;
  nodeGroups: NodeGroupSpec[];
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string[]>;
  publicSubnetIds: pulumi.Input<string[]>;
  eksKeyArn: pulumi.Input<string>;
  ingress: IngressSettings;
  /** The event backbone: the cluster's pods are admitted on the MSK IAM port. */
  kafka: KafkaClientAdmission;
}

/** What the workloads' tiers (services, observability) need from the cluster: IRSA trust and somewhere to install. */
export interface WorkloadCluster {
  oidcProviderArn: pulumi.Input<string>;
  /** The OIDC issuer without `https://`, as eks.Cluster's `oidcIssuer` gives it. */
  oidcIssuer: pulumi.Input<string>;
  provider: k8s.Provider;
  /** Installed before any release: the namespaces, the node groups, the load balancer controller. */
  ready: pulumi.Resource[];
}

export class Cluster extends pulumi.ComponentResource {
  readonly clusterName: string;
  readonly kubeconfig: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly namespaces: Record<NamespaceId, k8s.core.v1.Namespace>;
  readonly nodeGroups: aws.eks.NodeGroup[];
  readonly loadBalancerControllerRoleArn: pulumi.Output<string>;
  /** What workloads wait for: the namespaces, the node groups and the load balancer controller. */
  readonly ready: pulumi.Resource[];
  /** Set when a domain and hosted zone are configured: the validated certificate for the gateway's ALB. */
  readonly certificateArn?: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:Cluster", name, {}, opts);
    const tags = componentTags("cluster");
    this.clusterName = resourceName(args.env, "eks");

    const cluster = new eks.Cluster(
      this.clusterName,
      {
        name: this.clusterName,
        version: args.kubernetesVersion,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds,
        publicSubnetIds: args.publicSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: args.endpointPublicAccess,
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries: Object.fromEntries(
          args.adminRoleArns.map((principalArn, i) => [
            `admin-${i + 1}`,
            {
              principalArn,
              accessPolicies: { clusterAdmin: { policyArn: clusterAdminPolicyArn, accessScope: { type: "cluster" } } },
            },
          ]),
        ),
        encryptionConfigKeyArn: args.eksKeyArn,
        createOidcProvider: true,
        skipDefaultNodeGroup: true,
        // Managed nodes and their pods carry the EKS-created cluster security group only.
        skipDefaultSecurityGroups: true,
        nodeAssociatePublicIpAddress: false,
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        vpcCniOptions: { enableNetworkPolicy: true },
        corednsAddonOptions: { enabled: true },
        kubeProxyAddonOptions: { enabled: true },
        deletionProtection: args.env === "prod",
        tags,
      },
      { parent: this },
    );
    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.oidcIssuer = cluster.oidcIssuer;
    this.securityGroupId = cluster.clusterSecurityGroupId;

    args.kafka.admitClient("eks", this.securityGroupId);

    this.nodeGroups = this.managedNodeGroups(args, cluster, tags);

    this.provider = new k8s.Provider(
      resourceName(args.env, "k8s"),
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [cluster] },
    );

    this.namespaces = Object.fromEntries(
      (Object.keys(namespaces) as NamespaceId[]).map((id) => [
        id,
        new k8s.core.v1.Namespace(
          namespaces[id],
          {
            metadata: {
              name: namespaces[id],
              labels: {
                "app.kubernetes.io/part-of": "webhooks-platform",
                "pod-security.kubernetes.io/enforce": podSecurity[id],
                "pod-security.kubernetes.io/warn": "restricted",
                // The ALB registers pods of this namespace only once they are ready in its target group.
                ...(id === "ingest" ? { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } : {}),
              },
            },
          },
          { parent: this, provider: this.provider },
        ),
      ]),
    ) as Record<NamespaceId, k8s.core.v1.Namespace>;

    const controller = this.loadBalancerController(args, tags);
    this.loadBalancerControllerRoleArn = controller.roleArn;
    this.ready = [...Object.values(this.namespaces), ...this.nodeGroups, controller.release];
    if (args.ingress.domain && args.ingress.hostedZoneId) {
      this.certificateArn = this.certificate(args.env, args.ingress.domain, args.ingress.hostedZoneId, tags);
    }

    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      securityGroupId: this.securityGroupId,
      loadBalancerControllerRoleArn: this.loadBalancerControllerRoleArn,
      certificateArn: this.certificateArn,
    });
  }

  private managedNodeGroups(args: ClusterArgs, cluster: eks.Cluster, tags: Record<string, string>): aws.eks.NodeGroup[] {
    const nodeRole = new aws.iam.Role(
      resourceName(args.env, "eks-node"),
      {
        name: resourceName(args.env, "eks-node"),
        description: "Managed node groups of the platform's EKS cluster",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      { parent: this },
    );
    const attachments = nodeRolePolicyArns.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${resourceName(args.env, "eks-node")}-${policyArn.split("/").pop()}`,
          { role: nodeRole.name, policyArn },
          { parent: this },
        ),
    );
    return args.nodeGroups.map(
      (group) =>
        new aws.eks.NodeGroup(
          resourceName(args.env, `eks-${group.name}`),
          {
            clusterName: this.clusterName,
            nodeGroupName: resourceName(args.env, `eks-${group.name}`),
            nodeRoleArn: nodeRole.arn,
            subnetIds: args.privateSubnetIds,
            instanceTypes: group.instanceTypes,
            // Graviton, to run the arm64 images.
            amiType: "AL2023_ARM_64_STANDARD",
            capacityType: "ON_DEMAND",
            diskSize: group.diskSizeGiB,
            scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
            updateConfig: { maxUnavailable: 1 },
            labels: { "webhooks.platform/node-group": group.name },
            tags: { ...tags, "node-group": group.name },
          },
          { parent: this, dependsOn: [cluster, ...attachments] },
        ),
    );
  }

  private loadBalancerController(args: ClusterArgs, tags: Record<string, string>): { roleArn: pulumi.Output<string>; release: k8s.helm.v3.Release } {
    const roleName = resourceName(args.env, "aws-load-balancer-controller");
    const subject = `system:serviceaccount:${loadBalancerController.namespace}:${loadBalancerController.serviceAccount}`;
    const role = new aws.iam.Role(
      roleName,
      {
        name: roleName,
        description: "IRSA role of the AWS Load Balancer Controller",
        assumeRolePolicy: pulumi
          .all([this.oidcProviderArn, this.oidcIssuer])
          .apply(([arn, issuer]) => JSON.stringify(irsaTrustPolicy(arn, issuer, subject))),
        tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      roleName,
      {
        role: role.name,
        policy: pulumi
          .output(args.accountId)
          .apply((accountId) => JSON.stringify(loadBalancerControllerPolicy({ region: args.region, accountId, clusterName: this.clusterName }))),
      },
      { parent: this },
    );
    const release = new k8s.helm.v3.Release(
      roleName,
      {
        name: loadBalancerController.chart,
        chart: loadBalancerController.chart,
        version: loadBalancerController.version,
        namespace: loadBalancerController.namespace,
        repositoryOpts: { repo: loadBalancerController.repo },
        values: {
          clusterName: this.clusterName,
          region: args.region,
          vpcId: args.vpcId,
          replicaCount: args.env === "dev" ? 1 : 2,
          serviceAccount: {
            create: true,
            name: loadBalancerController.serviceAccount,
            annotations: { "eks.amazonaws.com/role-arn": role.arn },
          },
          enableShield: false,
          enableWaf: false,
          enableWafv2: false,
          defaultTags: { environment: args.env, component: "cluster" },
        },
      },
      { parent: this, provider: this.provider, dependsOn: this.nodeGroups },
    );
    return { roleArn: role.arn, release };
  }

  private certificate(env: Env, domain: string, hostedZoneId: string, tags: Record<string, string>): pulumi.Output<string> {
    const certificate = new aws.acm.Certificate(
      resourceName(env, "gateway-cert"),
      { domainName: domain, validationMethod: "DNS", tags },
      { parent: this },
    );
    // One domain, so one validation record.
    const option = certificate.domainValidationOptions[0]!;
    const record = new aws.route53.Record(
      resourceName(env, "gateway-cert-validation"),
      {
        zoneId: hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      resourceName(env, "gateway-cert"),
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this },
    );
    return validation.certificateArn;
  }
}
