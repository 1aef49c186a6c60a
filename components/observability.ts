// Observability tier: Amazon Managed Prometheus `platform-events-<env>` (CMK-encrypted, logging
// to CloudWatch) with the alerting and SLO recording rules of observability/rules/ and an alert
// manager routing to the env's KMS-encrypted SNS topic; the in-cluster OpenTelemetry collector
// (observability/otel-collector.yaml) with the IRSA role `platform-otel-collector`, scraping
// the annotated pods and kube-state-metrics into AMP with SigV4 and sending traces to X-Ray;
// CloudWatch alarms on MSK consumer lag; CloudWatch log groups of the gateway and the schema
// service; and, behind a config toggle, Amazon Managed Grafana with the AMP, CloudWatch and
// X-Ray data sources. The dashboards of observability/dashboards/ are imported into Grafana
// by observability/grafana-import.ts (docs/configuration.md, "Dashboards").

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type { AlertThresholds, Env, GrafanaAuthentication, GrafanaSamlSettings, SloObjectives } from "../config";
import { namespaces } from "../model/kubernetes";
import { consumerGroups, type ClusterRole } from "../model/topics";
import { alertManagerDefinition, consumerLagQuery } from "../observability/alerting";
import { collectorConfig } from "../observability/collector-config";
import { alertTopicPolicy, collectorPolicy, grafanaPolicy, observabilityKeyPolicy } from "../observability/policies";
import { renderRuleFile, ruleFiles } from "../observability/rule-files";
import type { WorkloadCluster } from "./cluster";
import { irsaTrustPolicy, serviceTrustPolicy } from "./iam-policies";
import { componentTags, logGroupName, resourceName } from "./naming";

/** Names the blueprint fixes for this tier. */
export const observabilityNames = {
  prometheusWorkspace: (env: Env): string => `platform-events-${env}`,
  collectorRole: "platform-otel-collector",
} as const;

/** The upstream OpenTelemetry collector chart and how it is installed. */
export const otelCollector = {
  chart: "opentelemetry-collector",
  version: "0.127.2",
  repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
  /** Release name and, through fullnameOverride, the name of its Deployment and Service. */
  name: "otel-collector",
  namespace: namespaces.observability,
  serviceAccount: "otel-collector",
  /** The contrib distribution carries sigv4auth, prometheusremotewrite and awsxray. */
  image: "otel/opentelemetry-collector-contrib",
  command: "otelcol-contrib",
} as const;

/** kube-state-metrics: pod restarts and workload state, scraped by the collector. */
export const kubeStateMetrics = {
  chart: "kube-state-metrics",
  version: "5.27.0",
  repo: "https://prometheus-community.github.io/helm-charts",
  name: "kube-state-metrics",
  namespace: namespaces.observability,
  port: 8080,
} as const;

/** Where the services send OTLP (OTLP/HTTP, JSON encoding): the collector's Service in `observability`. */
export const otlpEndpoint = `http://${otelCollector.name}.${otelCollector.namespace}.svc.cluster.local:4318`;

/** Components whose CloudWatch log groups this tier creates: the gateway and the schema service (the admin API serves schemas). */
export const serviceLogGroups = ["gateway", "admin"] as const;

/** Consumer groups whose lag alarms: the lag of the retry group is its schedule, not a fault. */
const lagAlarmGroups: { group: string; role: ClusterRole }[] = [
  { group: consumerGroups.processor, role: "ingress" },
  { group: consumerGroups.dispatcher, role: "egress" },
];

export interface GrafanaSettings {
  enabled: boolean;
  authentication: GrafanaAuthentication;
  /** Required with SAML (config.ts checks it). */
  saml?: GrafanaSamlSettings;
}

export interface ObservabilityArgs {
  env: Env;
  region: string;
  logRetentionDays: number;
  logsKeyArn: pulumi.Input<string>;
  alerts: AlertThresholds;
  slo: SloObjectives;
  grafana: GrafanaSettings;
  cluster: WorkloadCluster;
  /** Names of the MSK clusters serving each role (the consumer lag alarms' dimension). */
  kafkaClusterNames: Record<ClusterRole, pulumi.Input<string>>;
}

export class Observability extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;
  readonly workspaceArn: pulumi.Output<string>;
  readonly prometheusEndpoint: pulumi.Output<string>;
  readonly remoteWriteUrl: pulumi.Output<string>;
  readonly collectorRoleArn: pulumi.Output<string>;
  readonly alertTopicArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly logGroupNames: Record<(typeof serviceLogGroups)[number], pulumi.Output<string>>;
  readonly otlpEndpoint: string = otlpEndpoint;
  /** Set when Grafana is enabled. */
  readonly grafanaUrl?: pulumi.Output<string>;
  readonly grafanaWorkspaceId?: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:observability:Observability", name, {}, opts);
    const tags = componentTags("observability");
    const { env } = args;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const keyName = resourceName(env, "observability-key");
    const key = new aws.kms.Key(
      keyName,
      {
        description: `${keyName}: Amazon Managed Prometheus and Grafana workspaces, alert notifications`,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        policy: accountId.apply((account) => JSON.stringify(observabilityKeyPolicy(account))),
        tags: { ...tags, Name: keyName },
      },
      { parent: this },
    );
    new aws.kms.Alias(keyName, { name: `alias/${keyName}`, targetKeyId: key.keyId }, { parent: this });
    this.keyArn = key.arn;

    const workspace = this.prometheusWorkspace(args, key, tags);
    this.workspaceId = workspace.id;
    this.workspaceArn = workspace.arn;
    this.prometheusEndpoint = workspace.prometheusEndpoint;
    this.remoteWriteUrl = pulumi.interpolate`${workspace.prometheusEndpoint}api/v1/remote_write`;

    for (const file of ruleFiles()) {
      new aws.amp.RuleGroupNamespace(
        resourceName(env, `rules-${file.name}`),
        { name: `platform-${file.name}`, workspaceId: workspace.id, data: renderRuleFile(file, { alerts: args.alerts, slo: args.slo }), tags },
        { parent: this },
      );
    }

    const topic = this.alertTopic(args, key, workspace, accountId, tags);
    this.alertTopicArn = topic.arn;
    new aws.amp.AlertManagerDefinition(
      resourceName(env, "alert-manager"),
      { workspaceId: workspace.id, definition: topic.arn.apply((arn) => alertManagerDefinition(arn, args.region)) },
      { parent: this },
    );
    this.consumerLagAlarms(args, topic, tags);

    this.logGroupNames = Object.fromEntries(
      serviceLogGroups.map((component) => {
        const group = new aws.cloudwatch.LogGroup(
          resourceName(env, `${component}-logs`),
          { name: logGroupName(env, component), retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn, tags: { ...tags, service: component } },
          { parent: this },
        );
        return [component, group.name];
      }),
    ) as Record<(typeof serviceLogGroups)[number], pulumi.Output<string>>;

    const collectorRole = this.collectorRole(args, workspace, tags);
    this.collectorRoleArn = collectorRole.role.arn;
    const ksm = this.kubeStateMetricsRelease(args);
    this.collectorRelease(args, collectorRole, [ksm]);

    if (args.grafana.enabled) {
      const grafana = this.grafana(args, { workspace, topic, key, accountId }, tags);
      this.grafanaUrl = pulumi.interpolate`https://${grafana.endpoint}`;
      this.grafanaWorkspaceId = grafana.id;
    }

    this.registerOutputs({
      workspaceId: this.workspaceId,
      workspaceArn: this.workspaceArn,
      prometheusEndpoint: this.prometheusEndpoint,
      remoteWriteUrl: this.remoteWriteUrl,
      collectorRoleArn: this.collectorRoleArn,
      alertTopicArn: this.alertTopicArn,
      keyArn: this.keyArn,
      logGroupNames: this.logGroupNames,
      otlpEndpoint: this.otlpEndpoint,
      grafanaUrl: this.grafanaUrl,
      grafanaWorkspaceId: this.grafanaWorkspaceId,
    });
  }

  private prometheusWorkspace(args: ObservabilityArgs, key: aws.kms.Key, tags: Record<string, string>): aws.amp.Workspace {
    const alias = observabilityNames.prometheusWorkspace(args.env);
    const logGroup = new aws.cloudwatch.LogGroup(
      resourceName(args.env, "prometheus-logs"),
      { name: logGroupName(args.env, "prometheus"), retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn, tags },
      { parent: this },
    );
    return new aws.amp.Workspace(
      resourceName(args.env, "prometheus"),
      {
        alias,
        kmsKeyArn: key.arn,
        // AMP wants the log group's ARN with the stream wildcard.
        loggingConfiguration: { logGroupArn: pulumi.interpolate`${logGroup.arn}:*` },
        tags: { ...tags, Name: alias },
      },
      { parent: this },
    );
  }

  private alertTopic(args: ObservabilityArgs, key: aws.kms.Key, workspace: aws.amp.Workspace, accountId: pulumi.Output<string>, tags: Record<string, string>): aws.sns.Topic {
    const name = resourceName(args.env, "alerts");
    return new aws.sns.Topic(
      name,
      {
        name,
        displayName: `webhooks ${args.env} alerts`,
        kmsMasterKeyId: key.arn,
        policy: pulumi
          .all([accountId, workspace.arn])
          .apply(([account, workspaceArn]) => JSON.stringify(alertTopicPolicy(`arn:aws:sns:${args.region}:${account}:${name}`, workspaceArn, account))),
        tags,
      },
      { parent: this },
    );
  }

  /** MSK's consumer lag lives in CloudWatch (enhanced monitoring), not in AMP: one alarm per consumer group. */
  private consumerLagAlarms(args: ObservabilityArgs, topic: aws.sns.Topic, tags: Record<string, string>): void {
    for (const { group, role } of lagAlarmGroups) {
      const name = resourceName(args.env, `${group}-lag`);
      new aws.cloudwatch.MetricAlarm(
        name,
        {
          name,
          alarmDescription: `Consumer group ${group} is more than ${args.alerts.consumerLagRecords} records behind on a topic of the ${role} cluster for 5 minutes. See docs/runbook.md#alerts.`,
          comparisonOperator: "GreaterThanThreshold",
          threshold: args.alerts.consumerLagRecords,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          treatMissingData: "notBreaching",
          metricQueries: [
            {
              id: "lag",
              label: `${group} offset lag`,
              period: 60,
              returnData: true,
              expression: pulumi.output(args.kafkaClusterNames[role]).apply((cluster) => consumerLagQuery(cluster, group)),
            },
          ],
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags: { ...tags, "consumer-group": group },
        },
        { parent: this },
      );
    }
  }

  private collectorRole(args: ObservabilityArgs, workspace: aws.amp.Workspace, tags: Record<string, string>): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const name = observabilityNames.collectorRole;
    const subject = `system:serviceaccount:${otelCollector.namespace}:${otelCollector.serviceAccount}`;
    const role = new aws.iam.Role(
      name,
      {
        name,
        description: `IRSA role of the OpenTelemetry collector (ServiceAccount ${subject})`,
        assumeRolePolicy: pulumi
          .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
          .apply(([providerArn, issuer]) => JSON.stringify(irsaTrustPolicy(providerArn, issuer, subject))),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      name,
      { name, role: role.name, policy: workspace.arn.apply((arn) => JSON.stringify(collectorPolicy(arn))) },
      { parent: this },
    );
    return { role, policy };
  }

  private kubeStateMetricsRelease(args: ObservabilityArgs): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
      resourceName(args.env, "kube-state-metrics"),
      {
        name: kubeStateMetrics.name,
        chart: kubeStateMetrics.chart,
        version: kubeStateMetrics.version,
        namespace: kubeStateMetrics.namespace,
        repositoryOpts: { repo: kubeStateMetrics.repo },
        values: {
          fullnameOverride: kubeStateMetrics.name,
          service: { port: kubeStateMetrics.port },
          // What the alerts and dashboards read; the other collectors only add series.
          collectors: ["pods", "deployments", "replicasets", "horizontalpodautoscalers", "poddisruptionbudgets", "nodes"],
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
      },
      { parent: this, provider: args.cluster.provider, dependsOn: args.cluster.ready },
    );
  }

  private collectorRelease(args: ObservabilityArgs, role: { role: aws.iam.Role; policy: aws.iam.RolePolicy }, dependsOn: pulumi.Resource[]): k8s.helm.v3.Release {
    const config = collectorConfig();
    return new k8s.helm.v3.Release(
      resourceName(args.env, "otel-collector"),
      {
        name: otelCollector.name,
        chart: otelCollector.chart,
        version: otelCollector.version,
        namespace: otelCollector.namespace,
        repositoryOpts: { repo: otelCollector.repo },
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
        values: {
          fullnameOverride: otelCollector.name,
          // One replica scrapes: two would each scrape every pod and write every sample twice.
          mode: "deployment",
          replicaCount: 1,
          image: { repository: otelCollector.image },
          command: { name: otelCollector.command },
          serviceAccount: { create: true, name: otelCollector.serviceAccount, annotations: { "eks.amazonaws.com/role-arn": role.role.arn } },
          // Pod discovery for the prometheus receiver.
          clusterRole: {
            create: true,
            rules: [{ apiGroups: [""], resources: ["pods", "nodes", "endpoints", "services"], verbs: ["get", "list", "watch"] }],
          },
          extraEnvs: [
            { name: "AWS_REGION", value: args.region },
            { name: "PLATFORM_ENV", value: args.env },
            { name: "AMP_REMOTE_WRITE_URL", value: this.remoteWriteUrl },
            { name: "KUBE_STATE_METRICS_TARGET", value: `${kubeStateMetrics.name}.${kubeStateMetrics.namespace}.svc:${kubeStateMetrics.port}` },
          ],
          // The chart merges this over its defaults: drop the default receivers, exporter and
          // logs pipeline the platform does not use (null removes a key in Helm).
          config: {
            ...config,
            receivers: { ...config.receivers, jaeger: null, zipkin: null },
            exporters: { ...config.exporters, debug: null },
            service: { ...config.service, pipelines: { ...config.service.pipelines, logs: null } },
          },
          ports: {
            "jaeger-compact": { enabled: false },
            "jaeger-thrift": { enabled: false },
            "jaeger-grpc": { enabled: false },
            zipkin: { enabled: false },
            otlp: { enabled: true },
            "otlp-http": { enabled: true },
          },
          resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        },
      },
      { parent: this, provider: args.cluster.provider, dependsOn: [role.policy, ...args.cluster.ready, ...dependsOn] },
    );
  }

  private grafana(
    args: ObservabilityArgs,
    deps: { workspace: aws.amp.Workspace; topic: aws.sns.Topic; key: aws.kms.Key; accountId: pulumi.Output<string> },
    tags: Record<string, string>,
  ): aws.grafana.Workspace {
    const name = resourceName(args.env, "grafana");
    const role = new aws.iam.Role(
      name,
      {
        name,
        description: "Amazon Managed Grafana: reads AMP, CloudWatch and X-Ray, notifies the alert topic",
        assumeRolePolicy: deps.accountId.apply((account) => JSON.stringify(serviceTrustPolicy("grafana.amazonaws.com", account))),
        tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      name,
      {
        name,
        role: role.name,
        policy: pulumi
          .all([deps.accountId, deps.workspace.arn, deps.topic.arn, deps.key.arn])
          .apply(([accountId, workspaceArn, alertTopicArn, keyArn]) =>
            JSON.stringify(grafanaPolicy({ region: args.region, accountId, workspaceArn, alertTopicArn, keyArn })),
          ),
      },
      { parent: this },
    );
    const workspace = new aws.grafana.Workspace(
      name,
      {
        name,
        description: `Dashboards and alerts of the webhooks platform (${args.env})`,
        accountAccessType: "CURRENT_ACCOUNT",
        authenticationProviders: [args.grafana.authentication],
        permissionType: "CUSTOMER_MANAGED",
        roleArn: role.arn,
        dataSources: ["PROMETHEUS", "CLOUDWATCH", "XRAY"],
        notificationDestinations: ["SNS"],
        grafanaVersion: "10.4",
        kmsKeyId: deps.key.arn,
        configuration: JSON.stringify({ plugins: { pluginAdminEnabled: false }, unifiedAlerting: { enabled: true } }),
        tags,
      },
      { parent: this },
    );
    const saml = args.grafana.saml;
    if (args.grafana.authentication === "SAML") {
      if (!saml) throw new Error(`Observability ${args.env}: Grafana SAML authentication needs the SAML settings (platform:observability.grafanaSaml)`);
      new aws.grafana.WorkspaceSamlConfiguration(
        name,
        {
          workspaceId: workspace.id,
          idpMetadataUrl: saml.idpMetadataUrl,
          roleAssertion: saml.roleAssertion,
          adminRoleValues: saml.adminRoleValues,
          editorRoleValues: saml.editorRoleValues,
        },
        { parent: this },
      );
    }
    return workspace;
  }
}
