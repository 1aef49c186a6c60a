// Where the services run in the EKS cluster: namespaces per tier, and the Kubernetes names
// (release, ServiceAccount) the charts give each service. The Cluster component creates the
// namespaces, the Services component installs the charts there and trusts exactly these
// ServiceAccounts in the IRSA roles, and the runbook's commands use the same names.

import type { ServiceName } from "./access";

export const namespaces = {
  ingest: "webhooks-ingest",
  delivery: "webhooks-delivery",
  admin: "webhooks-admin",
  observability: "observability",
} as const;

export type NamespaceId = keyof typeof namespaces;

/** The namespace each service is installed in. */
export const serviceNamespaces: Readonly<Record<ServiceName, string>> = {
  gateway: namespaces.ingest,
  processor: namespaces.ingest,
  dispatcher: namespaces.delivery,
  admin: namespaces.admin,
};

/**
 * The Helm release, Deployment, Service and ServiceAccount of a service are all named after
 * it (the release is named after its chart, so the chart's fullname is the service name).
 */
export function serviceAccountName(service: ServiceName): string {
  return service;
}

/** `system:serviceaccount:<namespace>:<name>`, the `sub` claim of the pod's web identity token. */
export function serviceAccountSubject(service: ServiceName): string {
  return `system:serviceaccount:${serviceNamespaces[service]}:${serviceAccountName(service)}`;
}

/** Label every platform object carries (`app.kubernetes.io/part-of`). */
export const partOfLabel = "webhooks-platform";
