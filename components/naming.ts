// The one place that turns (environment, component) into resource names and tags.
// Names are `webhooks-{env}-{component}`, except the few the blueprint fixes exactly.

import type { Env } from "../config";

const project = "webhooks";

/** `webhooks-{env}-{component}`, e.g. `webhooks-dev-msk-ingress`. */
export function resourceName(env: Env, component: string): string {
  return `${project}-${env}-${component}`;
}

/** CloudWatch log group of one of our components: `/webhooks/{env}/{component}`. */
export function logGroupName(env: Env, component: string): string {
  return `/${project}/${env}/${component}`;
}

/** Names the blueprint fixes; they are kept exactly as written there. */
export const fixedNames = {
  /** Security group of the MSK brokers. */
  eventsSecurityGroup: (env: Env): string => `platform-events-${env}-sg`,
  /** Security group carried by every client of the platform's data services. */
  sharedSecurityGroup: "platform-shared",
  /** CloudWatch log group of the MSK broker logs. */
  mskLogGroup: "/platform/msk",
} as const;

export interface StackTags {
  environment: Env;
  owner: string;
  costCenter: string;
}

/**
 * Tags every resource of the stack carries, through the AWS provider's default tags.
 * Keys are the AWS-style lower-case-with-dashes names operators filter on.
 */
export function defaultTags(t: StackTags): Record<string, string> {
  return {
    environment: t.environment,
    owner: t.owner,
    "cost-center": t.costCenter,
    project,
    "managed-by": "pulumi",
  };
}

/** The tag each component adds on its own resources, beside the provider's default tags. */
export function componentTags(component: string, extra: Record<string, string> = {}): Record<string, string> {
  return { component, ...extra };
}
