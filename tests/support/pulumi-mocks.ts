// Pulumi mocks for the infrastructure tests. Import this module FIRST in a test file (before
// any component or @pulumi/aws import): it calls setMocks at load time, then captures every
// resource the program registers, so a test says `resourcesOfType("aws:msk/cluster:Cluster")`
// and asserts on the inputs. Nothing here needs the Pulumi CLI or a provider plugin.
//
// The mocks return plausible outputs for what the program reads back: ids and ARNs of every
// resource, MSK bootstrap brokers, the AMP and Grafana endpoints, and the outputs of the
// opaque awsx.ec2.Vpc component.

import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";

// Internal to the SDK (absent from its typings), but the only way to know that every
// registration RPC has been answered.
const { waitForRPCs } = runtimeSettings as unknown as { waitForRPCs: () => Promise<void> };

export const mockAccountId = "123456789012";
export const mockRegion = "us-east-1";

export interface CapturedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** `urn::id` of the provider the resource was registered with, when one was passed or inherited. */
  provider: string;
  custom: boolean;
}

const captured: CapturedResource[] = [];

/** Every resource registered since the last reset, in registration order. */
export function allResources(): readonly CapturedResource[] {
  return captured;
}

export function resourcesOfType(type: string): CapturedResource[] {
  return captured.filter((r) => r.type === type);
}

/** The one resource of the type with that logical name; fails clearly when absent. */
export function resourceNamed(type: string, name: string): CapturedResource {
  const found = captured.find((r) => r.type === type && r.name === name);
  if (!found) {
    const names = resourcesOfType(type).map((r) => r.name);
    throw new Error(`no ${type} named "${name}" was registered; registered: ${names.join(", ") || "none"}`);
  }
  return found;
}

export function resetResources(): void {
  captured.length = 0;
  capturedOptions.length = 0;
  capturedCalls.length = 0;
}

export interface CapturedCall {
  token: string;
  inputs: Record<string, any>;
  provider: string;
}

const capturedCalls: CapturedCall[] = [];

export function allCalls(): readonly CapturedCall[] {
  return capturedCalls;
}

/** Every data source (invoke) call of the given token since the last reset. */
export function callsOf(token: string): CapturedCall[] {
  return capturedCalls.filter((c) => c.token === token);
}

export interface CapturedOptions {
  type: string;
  name: string;
  opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

const capturedOptions: CapturedOptions[] = [];

/**
 * Resource options are not sent to mocks. Pass `{ transformations: [recordOptions] }` to a
 * component: the transformation runs for the component and every descendant, in process, and
 * records the options each was created with (parent, ignoreChanges, dependsOn, ...).
 */
export const recordOptions: pulumi.ResourceTransformation = (a) => {
  capturedOptions.push({ type: a.type, name: a.name, opts: a.opts });
  return undefined;
};

export function optionsOf(type: string, name: string): CapturedOptions["opts"] {
  const found = capturedOptions.find((o) => o.type === type && o.name === name);
  if (!found) throw new Error(`no options were recorded for ${type} "${name}"; pass { transformations: [recordOptions] } to its component`);
  return found.opts;
}

export function allOptions(): readonly CapturedOptions[] {
  return capturedOptions;
}

/** Waits until the program has registered everything: no RPC in flight and no new resource for a few turns. */
export async function settle(): Promise<void> {
  let stableTurns = 0;
  let last = -1;
  while (stableTurns < 3) {
    await waitForRPCs();
    await new Promise((resolve) => setTimeout(resolve, 5));
    stableTurns = captured.length === last ? stableTurns + 1 : 0;
    last = captured.length;
  }
}

/** The value of an Output (or a plain value), as the mocks resolved it. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** The signature the Pulumi SDK gives secret values in the inputs the mocks receive. */
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const specialSigKey = "4dabf18193072939515e22adb298388d";

/** True when a captured input value was marked secret by the program. */
export function isSecretInput(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === secretSig;
}

/** The plain value of a captured input, secret or not. */
export function plainInput<T = unknown>(value: unknown): T {
  return (isSecretInput(value) ? (value as { value: unknown }).value : value) as T;
}

const arnOf = (service: string, resource: string) => `arn:aws:${service}:${mockRegion}:${mockAccountId}:${resource}`;

const subnetIds = (kind: string) => [1, 2, 3].map((i) => `subnet-${kind}-${i}`);

/** Outputs a real provider would return for the resource types whose outputs the program uses. */
function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "awsx:ec2:Vpc":
      return {
        vpcId: `vpc-${name}`,
        publicSubnetIds: subnetIds("public"),
        privateSubnetIds: subnetIds("private"),
        isolatedSubnetIds: [],
      };
    case "aws:kms/key:Key":
      return { arn: arnOf("kms", `key/${name}`), keyId: `${name}-key-id` };
    case "aws:kms/alias:Alias":
      return { arn: arnOf("kms", inputs.name ?? name) };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { arn: arnOf("ec2", `security-group/sg-${name}`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arnOf("logs", `log-group:${inputs.name ?? name}`) };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${mockAccountId}:role/${inputs.name ?? name}` };
    case "aws:msk/cluster:Cluster": {
      const cluster = inputs.clusterName ?? name;
      const brokers = Array.from({ length: Number(inputs.numberOfBrokerNodes ?? 3) }, (_, i) => `b-${i + 1}.${cluster}.abc123.c2.kafka.${mockRegion}.amazonaws.com:9098`);
      return { arn: arnOf("kafka", `cluster/${cluster}/uuid-1`), bootstrapBrokersSaslIam: brokers.join(","), currentVersion: "K1" };
    }
    case "aws:msk/configuration:Configuration":
      return { arn: arnOf("kafka", `configuration/${inputs.name ?? name}/uuid-1`), latestRevision: 1 };
    case "aws:dynamodb/table:Table":
      return { arn: arnOf("dynamodb", `table/${inputs.name ?? name}`) };
    case "aws:glue/registry:Registry":
      return { arn: arnOf("glue", `registry/${inputs.registryName}`) };
    case "aws:glue/schema:Schema":
      return { arn: arnOf("glue", `schema/${name}`), latestSchemaVersion: 1 };
    case "aws:secretsmanager/secret:Secret":
      return { arn: arnOf("secretsmanager", `secret:${inputs.name ?? name}-AbCdEf`) };
    case "aws:amp/workspace:Workspace":
      return {
        arn: arnOf("aps", `workspace/ws-${name}`),
        prometheusEndpoint: `https://aps-workspaces.${mockRegion}.amazonaws.com/workspaces/ws-${name}/`,
      };
    case "aws:sns/topic:Topic":
      return { arn: arnOf("sns", inputs.name ?? name) };
    case "aws:grafana/workspace:Workspace":
      return { arn: arnOf("grafana", `/workspaces/g-${name}`), endpoint: `g-${name}.grafana-workspace.${mockRegion}.amazonaws.com` };
    default:
      return { arn: arnOf("mock", `${type}/${name}`) };
  }
}

/** Data sources (invokes) the program calls; an unexpected one fails the test loudly. */
function callResult(token: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: mockAccountId, arn: `arn:aws:iam::${mockAccountId}:user/test`, userId: "AIDATEST", id: mockAccountId };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:ec2/getRouteTables:getRouteTables":
      return { ids: [1, 2, 3].map((i) => `rtb-private-${i}`), id: "rtb" };
    case "aws:secretsmanager/getRandomPassword:getRandomPassword":
      return { randomPassword: "m".repeat(Number(inputs.passwordLength ?? 32)), id: "random" };
    default:
      throw new Error(`the Pulumi mocks have no answer for the data source ${token}; add one to tests/support/pulumi-mocks.ts`);
  }
}

pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
      captured.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider ?? "", custom: args.custom ?? false });
      const id = args.type === "aws:ec2/securityGroup:SecurityGroup" ? `sg-${args.name}` : `${args.name}-id`;
      return { id, state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) } };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
      capturedCalls.push({ token: args.token, inputs: args.inputs, provider: args.provider ?? "" });
      return callResult(args.token, args.inputs);
    },
  },
  "webhooks-platform",
  "test",
  false,
);
