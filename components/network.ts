// Network tier: the VPC (awsx) with public and private subnets over the availability zones,
// NAT per config, gateway endpoints for S3 and DynamoDB, interface endpoints for the AWS APIs
// the services and nodes call, the `platform-shared` client security group, and flow logs.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type { Env, NatStrategy } from "../config";
import { componentTags, fixedNames, logGroupName, resourceName } from "./naming";
import { serviceTrustPolicy } from "./iam-policies";

export interface NetworkArgs {
  env: Env;
  region: string;
  /** A /16, distinct per environment (validated by config.ts). */
  cidrBlock: string;
  availabilityZones: number;
  natStrategy: NatStrategy;
  logsKeyArn: pulumi.Input<string>;
  logRetentionDays: number;
}

/** Interface endpoints, by the short name in `com.amazonaws.<region>.<name>`. */
export const interfaceEndpointServices = ["logs", "sts", "secretsmanager", "ecr.api", "ecr.dkr", "kms"] as const;
export const gatewayEndpointServices = ["s3", "dynamodb"] as const;

const natStrategyOf: Record<NatStrategy, awsx.types.enums.ec2.NatGatewayStrategy> = {
  single: awsx.ec2.NatGatewayStrategy.Single,
  perAz: awsx.ec2.NatGatewayStrategy.OnePerAz,
};

/** Private subnets hold the nodes, pods (VPC CNI) and brokers: large. Public ones hold load balancers and NAT only. */
const privateSubnetMask = 19;
const publicSubnetMask = 22;

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: string;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** `platform-shared`: carried by every client of the data services; MSK admits it on 9098. */
  readonly sharedSecurityGroupId: pulumi.Output<string>;
  readonly endpointSecurityGroupId: pulumi.Output<string>;
  readonly flowLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Network", name, args, opts);
    const tags = componentTags("network");
    const vpcName = resourceName(args.env, "vpc");

    const vpc = new awsx.ec2.Vpc(
      vpcName,
      {
        cidrBlock: args.cidrBlock,
        numberOfAvailabilityZones: args.availabilityZones,
        subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
        subnetSpecs: [
          // The role tags let the AWS Load Balancer Controller find the subnets for public and internal ALBs.
          { type: awsx.ec2.SubnetType.Public, cidrMask: publicSubnetMask, tags: { ...tags, "kubernetes.io/role/elb": "1" } },
          { type: awsx.ec2.SubnetType.Private, cidrMask: privateSubnetMask, tags: { ...tags, "kubernetes.io/role/internal-elb": "1" } },
        ],
        natGateways: { strategy: natStrategyOf[args.natStrategy] },
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { ...tags, Name: vpcName },
      },
      { parent: this },
    );
    this.vpcId = vpc.vpcId;
    this.cidrBlock = args.cidrBlock;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;

    const endpointSg = new aws.ec2.SecurityGroup(
      resourceName(args.env, "vpc-endpoints-sg"),
      {
        name: resourceName(args.env, "vpc-endpoints-sg"),
        description: "Interface VPC endpoints: HTTPS from inside the VPC only",
        vpcId: vpc.vpcId,
        tags,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      resourceName(args.env, "vpc-endpoints-https-from-vpc"),
      {
        securityGroupId: endpointSg.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.cidrBlock,
        tags,
      },
      { parent: this },
    );
    this.endpointSecurityGroupId = endpointSg.id;

    // Gateway endpoints attach to the private subnets' route tables, which awsx creates inside
    // its component; read them once the VPC (and so its route table associations) exists.
    const privateRouteTableIds = aws.ec2
      .getRouteTablesOutput(
        { vpcId: vpc.vpcId, filters: [{ name: "association.subnet-id", values: vpc.privateSubnetIds }] },
        { parent: this, dependsOn: [vpc] },
      )
      .apply((r) => r.ids);
    for (const service of gatewayEndpointServices) {
      new aws.ec2.VpcEndpoint(
        resourceName(args.env, `vpce-${service}`),
        {
          vpcId: vpc.vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: privateRouteTableIds,
          tags: { ...tags, Name: resourceName(args.env, `vpce-${service}`) },
        },
        { parent: this },
      );
    }
    for (const service of interfaceEndpointServices) {
      const endpointName = resourceName(args.env, `vpce-${service.replace(".", "-")}`);
      new aws.ec2.VpcEndpoint(
        endpointName,
        {
          vpcId: vpc.vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: vpc.privateSubnetIds,
          securityGroupIds: [endpointSg.id],
          tags: { ...tags, Name: endpointName },
        },
        { parent: this },
      );
    }

    const shared = new aws.ec2.SecurityGroup(
      fixedNames.sharedSecurityGroup,
      {
        name: fixedNames.sharedSecurityGroup,
        description: "Clients of the platform's data services (MSK admits this group)",
        vpcId: vpc.vpcId,
        tags,
      },
      { parent: this },
    );
    // Clients reach MSK, the endpoints and (the dispatcher) partner URLs anywhere on the internet.
    new aws.vpc.SecurityGroupEgressRule(
      resourceName(args.env, "shared-egress"),
      { securityGroupId: shared.id, description: "All outbound", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", tags },
      { parent: this },
    );
    this.sharedSecurityGroupId = shared.id;

    const flowLogs = this.flowLogs(args, vpc.vpcId, tags);
    this.flowLogGroupName = flowLogs.name;

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      sharedSecurityGroupId: this.sharedSecurityGroupId,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
      flowLogGroupName: this.flowLogGroupName,
    });
  }

  private flowLogs(args: NetworkArgs, vpcId: pulumi.Output<string>, tags: Record<string, string>): aws.cloudwatch.LogGroup {
    const logGroup = new aws.cloudwatch.LogGroup(
      resourceName(args.env, "vpc-flow-logs"),
      {
        name: logGroupName(args.env, "vpc-flow-logs"),
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logsKeyArn,
        tags,
      },
      { parent: this },
    );
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const role = new aws.iam.Role(
      resourceName(args.env, "vpc-flow-logs-role"),
      {
        name: resourceName(args.env, "vpc-flow-logs-role"),
        description: "VPC flow logs delivery to CloudWatch Logs",
        assumeRolePolicy: accountId.apply((account) => JSON.stringify(serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account))),
        tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      resourceName(args.env, "vpc-flow-logs-delivery"),
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:log-stream:*`],
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      resourceName(args.env, "vpc-flow-log"),
      {
        vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags,
      },
      { parent: this },
    );
    return logGroup;
  }
}
