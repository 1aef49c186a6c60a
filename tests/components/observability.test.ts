import { allResources, mockAccountId, optionsOf, recordOptions, resetResources, settle, valueOf, type CapturedResource } from "../support/pulumi-mocks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { envs, loadPlatformConfig, type Env, type PlatformConfig } from "../../config";
import { namespaces } from "../../model/kubernetes";
import { consumerGroups } from "../../model/topics";
import { broadDataResources } from "../../components/iam-policies";
import { Observability, kubeStateMetrics, observabilityNames, otelCollector, otlpEndpoint } from "../../components/observability";
import { buildPlatform } from "../../components/platform";
import { loadContracts } from "../../model/contracts";
import { collectorConfig, collectorEnvVariables } from "../../observability/collector-config";
import { ruleFiles } from "../../observability/rule-files";
import { stackFileSource } from "../support/stack-file";

// eks.Cluster is opaque under mocks: answer the outputs the composition reads (as tests/components/kubernetes-tiers.test.ts does).
const monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
const sharedMocks = monitor.mocks;
monitor.mocks = {
  newResource(args) {
    const result = sharedMocks.newResource(args) as { id: string; state: Record<string, unknown> };
    if (args.type !== "eks:index:Cluster") return result;
    return {
      ...result,
      state: { kubeconfigJson: "{}", oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/STACK`, oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/STACK", clusterSecurityGroupId: "sg-eks", ...result.state },
    };
  },
  call: (args) => sharedMocks.call(args),
};

const oidcIssuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123";
const oidcProviderArn = `arn:aws:iam::${mockAccountId}:oidc-provider/${oidcIssuer}`;
const logsKeyArn = (env: Env) => `arn:aws:kms:us-east-1:${mockAccountId}:key/webhooks-${env}-logs-key`;
const mskClusterName = (env: Env, cluster: string) => `webhooks-${env}-msk-${cluster}`;

interface Built {
  config: PlatformConfig;
  component: Observability;
  resources: CapturedResource[];
}

async function build(env: Env, change: (c: PlatformConfig) => PlatformConfig = (c) => c): Promise<Built> {
  resetResources();
  const config = change(loadPlatformConfig(stackFileSource(env)));
  const provider = new k8s.Provider(`k8s-${env}`, { kubeconfig: "{}" });
  const o = config.observability;
  const component = new Observability(`observability-${env}`, {
    env,
    region: config.region,
    logRetentionDays: o.logRetentionDays,
    logsKeyArn: logsKeyArn(env),
    alerts: o.alerts,
    slo: o.slo,
    grafana: { enabled: o.grafanaEnabled, authentication: o.grafanaAuthentication, saml: o.grafanaSaml },
    cluster: { oidcProviderArn, oidcIssuer, provider, ready: [] },
    kafkaClusterNames: { ingress: mskClusterName(env, config.kafka.roles.ingress), egress: mskClusterName(env, config.kafka.roles.egress) },
  });
  await settle();
  return { config, component, resources: [...allResources()] };
}

const ofType = (b: Built, type: string) => b.resources.filter((r) => r.type === type);
function one(b: Built, type: string, name?: string): CapturedResource {
  const found = ofType(b, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
  return found[0]!;
}
const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as Record<string, any>;

const built = {} as Record<Env, Built>;
before(async () => {
  for (const env of envs) built[env] = await build(env);
});

describe("Observability: Amazon Managed Prometheus", () => {
  for (const env of envs) {
    it(`names the ${env} workspace platform-events-${env}, encrypts it with the observability CMK and logs to a retained, CMK-encrypted log group`, () => {
      const b = built[env];
      const ws = one(b, "aws:amp/workspace:Workspace");
      assert.equal(ws.inputs.alias, `platform-events-${env}`);
      assert.equal(ws.inputs.alias, observabilityNames.prometheusWorkspace(env));
      const key = one(b, "aws:kms/key:Key");
      assert.equal(key.name, `webhooks-${env}-observability-key`);
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(ws.inputs.kmsKeyArn, `arn:aws:kms:us-east-1:${mockAccountId}:key/${key.name}`);
      const logGroup = one(b, "aws:cloudwatch/logGroup:LogGroup", `webhooks-${env}-prometheus-logs`);
      assert.equal(ws.inputs.loggingConfiguration.logGroupArn, `arn:aws:logs:us-east-1:${mockAccountId}:log-group:/webhooks/${env}/prometheus:*`);
      assert.equal(logGroup.inputs.retentionInDays, b.config.observability.logRetentionDays);
      assert.equal(logGroup.inputs.kmsKeyId, logsKeyArn(env));
    });
  }

  it("lets only this account's AMP and CloudWatch alarms use the key besides IAM", () => {
    const policy = json(one(built.prod, "aws:kms/key:Key").inputs.policy);
    const services = policy.Statement.find((s: any) => s.Sid === "AlertPublishersEncryptNotifications");
    assert.deepEqual(services.Principal.Service, ["aps.amazonaws.com", "cloudwatch.amazonaws.com"]);
    assert.deepEqual(services.Action, ["kms:GenerateDataKey*", "kms:Decrypt"]);
    assert.deepEqual(services.Condition, { StringEquals: { "aws:SourceAccount": mockAccountId } });
  });

  it("uploads one rule group namespace per rules file, thresholds filled from the stack file", () => {
    const b = built.staging;
    const namespacesUploaded = ofType(b, "aws:amp/ruleGroupNamespace:RuleGroupNamespace");
    assert.deepEqual(namespacesUploaded.map((n) => n.inputs.name).sort(), ruleFiles().map((f) => `platform-${f.name}`).sort());
    for (const ns of namespacesUploaded) {
      assert.equal(ns.inputs.workspaceId, "webhooks-staging-prometheus-id");
      assert.doesNotMatch(ns.inputs.data, /\$\{[A-Za-z]/, `${ns.inputs.name} still has a placeholder`);
      assert.ok(parse(ns.inputs.data).groups.length > 0);
    }
    const slo = namespacesUploaded.find((n) => n.inputs.name === "platform-slo")!.inputs.data as string;
    assert.match(slo, new RegExp(`ratio_rate1h < ${b.config.observability.slo.deliverySuccessPercent}\\n`));
  });

  it("defines the alerts the brief asks for: retries, DLQ growth, partner errors, pod restarts and the three SLOs", () => {
    const alerts = ofType(built.dev, "aws:amp/ruleGroupNamespace:RuleGroupNamespace")
      .flatMap((n) => parse(n.inputs.data).groups)
      .flatMap((g: any) => g.rules)
      .filter((r: any) => r.alert)
      .map((r: any) => r.alert as string);
    for (const name of [
      "WebhookRetriesHigh",
      "WebhookDlqGrowing",
      "PartnerErrorsHigh",
      "PodRestarting",
      "ValidationSuccessBelowObjective",
      "DeliverySuccessBelowObjective",
      "DeliveryLatencyP95AboveObjective",
    ]) {
      assert.ok(alerts.includes(name), `no alert ${name}; defined: ${alerts.join(", ")}`);
    }
  });

  it("routes every alert to the env's KMS-encrypted SNS topic, which AMP may publish to from this workspace only", () => {
    const b = built.prod;
    const topic = one(b, "aws:sns/topic:Topic");
    const topicArn = `arn:aws:sns:us-east-1:${mockAccountId}:webhooks-prod-alerts`;
    assert.equal(topic.inputs.name, "webhooks-prod-alerts");
    assert.equal(topic.inputs.kmsMasterKeyId, `arn:aws:kms:us-east-1:${mockAccountId}:key/webhooks-prod-observability-key`);
    const amp = json(topic.inputs.policy).Statement.find((s: any) => s.Principal.Service === "aps.amazonaws.com");
    assert.equal(amp.Resource, topicArn);
    assert.deepEqual(amp.Condition.ArnEquals, { "aws:SourceArn": `arn:aws:aps:us-east-1:${mockAccountId}:workspace/ws-webhooks-prod-prometheus` });

    const definition = one(b, "aws:amp/alertManagerDefinition:AlertManagerDefinition");
    assert.equal(definition.inputs.workspaceId, "webhooks-prod-prometheus-id");
    // AMP's format: the Alertmanager configuration as a string under alertmanager_config.
    assert.match(definition.inputs.definition, /^alertmanager_config: \|\n  route:\n/);
    const alertmanager = parse(parse(definition.inputs.definition).alertmanager_config);
    assert.equal(alertmanager.route.receiver, "sns");
    assert.deepEqual(alertmanager.receivers, [
      { name: "sns", sns_configs: [{ topic_arn: topicArn, sigv4: { region: "us-east-1" }, subject: "[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }}" }] },
    ]);
  });
});

describe("Observability: consumer lag alarms", () => {
  it("alarms on MSK consumer lag of the processor (ingress cluster) and dispatcher (egress cluster) over the configured threshold", () => {
    const b = built.prod;
    const alarms = ofType(b, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarms.map((a) => a.name).sort(), [`webhooks-prod-${consumerGroups.dispatcher}-lag`, `webhooks-prod-${consumerGroups.processor}-lag`]);
    const processor = alarms.find((a) => a.name === `webhooks-prod-${consumerGroups.processor}-lag`)!;
    assert.equal(processor.inputs.threshold, b.config.observability.alerts.consumerLagRecords);
    assert.equal(processor.inputs.comparisonOperator, "GreaterThanThreshold");
    assert.equal(
      processor.inputs.metricQueries[0].expression,
      `SELECT MAX(SumOffsetLag) FROM SCHEMA("AWS/Kafka", "Cluster Name", "Consumer Group", Topic) WHERE "Cluster Name" = 'webhooks-prod-msk-ingress' AND "Consumer Group" = 'webhooks-processor'`,
    );
    const dispatcher = alarms.find((a) => a.name === `webhooks-prod-${consumerGroups.dispatcher}-lag`)!;
    assert.match(dispatcher.inputs.metricQueries[0].expression, /'webhooks-prod-msk-egress' AND "Consumer Group" = 'webhooks-dispatcher'$/);
    for (const a of alarms) {
      assert.deepEqual(a.inputs.alarmActions, [`arn:aws:sns:us-east-1:${mockAccountId}:webhooks-prod-alerts`]);
      assert.equal(a.inputs.treatMissingData, "notBreaching");
    }
  });

  it("watches the one dev cluster for both groups", () => {
    for (const a of ofType(built.dev, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      assert.match(a.inputs.metricQueries[0].expression, /"Cluster Name" = 'webhooks-dev-msk-events'/);
    }
  });
});

describe("Observability: log groups", () => {
  for (const env of envs) {
    it(`gives the ${env} gateway and schema service (admin API) log groups with the configured retention and the logs CMK`, () => {
      const b = built[env];
      for (const service of ["gateway", "admin"]) {
        const group = one(b, "aws:cloudwatch/logGroup:LogGroup", `webhooks-${env}-${service}-logs`);
        assert.equal(group.inputs.name, `/webhooks/${env}/${service}`);
        assert.equal(group.inputs.retentionInDays, 30);
        assert.equal(group.inputs.kmsKeyId, logsKeyArn(env));
      }
    });
  }

  it("takes the retention from the config", async () => {
    const b = await build("dev", (c) => ({ ...c, observability: { ...c.observability, logRetentionDays: 90 } }));
    for (const g of ofType(b, "aws:cloudwatch/logGroup:LogGroup")) assert.equal(g.inputs.retentionInDays, 90, g.name);
  });
});

describe("Observability: the collector's IRSA role", () => {
  it("is named platform-otel-collector and trusts only the collector's ServiceAccount through the cluster's OIDC provider", () => {
    const role = one(built.prod, "aws:iam/role:Role", "platform-otel-collector");
    assert.equal(role.inputs.name, "platform-otel-collector");
    assert.deepEqual(json(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${oidcIssuer}:sub`]: "system:serviceaccount:observability:otel-collector", [`${oidcIssuer}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    });
  });

  it("may remote-write to its env's workspace only, and put traces and read sampling rules in X-Ray", () => {
    const policy = one(built.prod, "aws:iam/rolePolicy:RolePolicy", "platform-otel-collector");
    assert.equal(policy.inputs.role, "platform-otel-collector");
    assert.deepEqual(json(policy.inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        { Sid: "PrometheusRemoteWrite", Effect: "Allow", Action: ["aps:RemoteWrite"], Resource: [`arn:aws:aps:us-east-1:${mockAccountId}:workspace/ws-webhooks-prod-prometheus`] },
        {
          Sid: "XRayTracesAndSampling",
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
          Resource: ["*"],
        },
      ],
    });
  });

  it("passes the IAM classifier: X-Ray's actions on * are not data actions", () => {
    for (const env of envs) {
      for (const p of ofType(built[env], "aws:iam/rolePolicy:RolePolicy")) assert.deepEqual(broadDataResources(json(p.inputs.policy) as any), [], `${env} ${p.name}`);
    }
  });
});

describe("Observability: OpenTelemetry collector release", () => {
  const release = (env: Env) => one(built[env], "kubernetes:helm.sh/v3:Release", `webhooks-${env}-otel-collector`);

  it("installs the upstream opentelemetry-collector chart, pinned, into the observability namespace", () => {
    const r = release("prod");
    assert.equal(r.inputs.chart, "opentelemetry-collector");
    assert.equal(r.inputs.version, otelCollector.version);
    assert.deepEqual(r.inputs.repositoryOpts, { repo: "https://open-telemetry.github.io/opentelemetry-helm-charts" });
    assert.equal(r.inputs.namespace, namespaces.observability);
    assert.equal(r.inputs.values.mode, "deployment");
    assert.equal(r.inputs.values.image.repository, "otel/opentelemetry-collector-contrib");
  });

  it("annotates the collector's ServiceAccount with the platform-otel-collector role", () => {
    const sa = release("staging").inputs.values.serviceAccount;
    assert.deepEqual(sa, { create: true, name: "otel-collector", annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${mockAccountId}:role/platform-otel-collector` } });
  });

  it("remote-writes to the env's workspace URL with SigV4 for the aps service in the stack's region", () => {
    const values = release("dev").inputs.values;
    const env = Object.fromEntries((values.extraEnvs as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(env.AMP_REMOTE_WRITE_URL, "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-webhooks-dev-prometheus/api/v1/remote_write");
    assert.equal(env.AWS_REGION, "us-east-1");
    assert.equal(env.KUBE_STATE_METRICS_TARGET, `kube-state-metrics.observability.svc:${kubeStateMetrics.port}`);
    const config = values.config;
    assert.equal(config.exporters.prometheusremotewrite.endpoint, "${env:AMP_REMOTE_WRITE_URL}");
    assert.deepEqual(config.exporters.prometheusremotewrite.auth, { authenticator: "sigv4auth" });
    assert.deepEqual(config.extensions.sigv4auth, { region: "${env:AWS_REGION}", service: "aps" });
    assert.ok(config.service.extensions.includes("sigv4auth"));
  });

  it("passes observability/otel-collector.yaml as the chart's config, removing the chart's unused defaults", () => {
    const values = release("prod").inputs.values;
    const file = collectorConfig();
    assert.deepEqual(values.config.service.pipelines, { ...file.service.pipelines, logs: null });
    assert.deepEqual(values.config.receivers.prometheus, file.receivers.prometheus);
    assert.equal(values.config.receivers.jaeger, null);
    assert.equal(values.config.exporters.debug, null);
    assert.deepEqual(values.ports.otlp, { enabled: true });
    assert.deepEqual(values.ports["otlp-http"], { enabled: true });
  });

  it("sets every ${env:...} variable the collector configuration reads (MY_POD_IP comes from the chart)", () => {
    const names = (release("staging").inputs.values.extraEnvs as { name: string }[]).map((e) => e.name);
    assert.deepEqual([...names, "MY_POD_IP"].sort(), collectorEnvVariables());
  });

  it("serves OTLP at the address the services are given", () => {
    assert.equal(release("prod").inputs.values.fullnameOverride, "otel-collector");
    assert.equal(otlpEndpoint, "http://otel-collector.observability.svc.cluster.local:4318");
    assert.equal(built.prod.component.otlpEndpoint, otlpEndpoint);
  });

  it("installs kube-state-metrics beside it for the pod restart alert", () => {
    const ksm = one(built.prod, "kubernetes:helm.sh/v3:Release", "webhooks-prod-kube-state-metrics");
    assert.equal(ksm.inputs.chart, "kube-state-metrics");
    assert.equal(ksm.inputs.namespace, namespaces.observability);
    assert.equal(ksm.inputs.values.fullnameOverride, kubeStateMetrics.name);
    assert.ok(ksm.inputs.values.collectors.includes("pods"));
  });
});

describe("Observability: Amazon Managed Grafana", () => {
  it("is absent in dev, where the stack file turns it off", async () => {
    assert.equal(built.dev.config.observability.grafanaEnabled, false);
    assert.equal(ofType(built.dev, "aws:grafana/workspace:Workspace").length, 0);
    assert.equal(ofType(built.dev, "aws:iam/role:Role").filter((r) => r.name.endsWith("-grafana")).length, 0);
    assert.equal(built.dev.component.grafanaUrl, undefined);
  });

  for (const env of ["staging", "prod"] as const) {
    it(`is present in ${env} with IAM Identity Center sign-in and the AMP, CloudWatch and X-Ray data sources`, async () => {
      const ws = one(built[env], "aws:grafana/workspace:Workspace");
      assert.equal(ws.inputs.name, `webhooks-${env}-grafana`);
      assert.deepEqual(ws.inputs.authenticationProviders, ["AWS_SSO"]);
      assert.deepEqual(ws.inputs.dataSources, ["PROMETHEUS", "CLOUDWATCH", "XRAY"]);
      assert.equal(ws.inputs.permissionType, "CUSTOMER_MANAGED");
      assert.equal(ws.inputs.roleArn, `arn:aws:iam::${mockAccountId}:role/webhooks-${env}-grafana`);
      assert.equal(await valueOf(built[env].component.grafanaUrl!), `https://g-webhooks-${env}-grafana.grafana-workspace.us-east-1.amazonaws.com`);
      assert.equal(await valueOf(built[env].component.grafanaWorkspaceId!), `webhooks-${env}-grafana-id`);
    });
  }

  it("gives Grafana read access to the env's AMP workspace and publish access to the alert topic only", () => {
    const policy = json(one(built.prod, "aws:iam/rolePolicy:RolePolicy", "webhooks-prod-grafana").inputs.policy);
    const sid = (s: string) => policy.Statement.find((x: any) => x.Sid === s);
    assert.deepEqual(sid("PrometheusQuery").Resource, [`arn:aws:aps:us-east-1:${mockAccountId}:workspace/ws-webhooks-prod-prometheus`]);
    assert.ok(sid("PrometheusQuery").Action.every((a: string) => /^aps:(Query|Get|Describe)/.test(a)));
    assert.deepEqual(sid("AlertNotifications"), { Sid: "AlertNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: [`arn:aws:sns:us-east-1:${mockAccountId}:webhooks-prod-alerts`] });
    const trust = json(one(built.prod, "aws:iam/role:Role", "webhooks-prod-grafana").inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Principal, { Service: "grafana.amazonaws.com" });
  });

  it("signs in through the organisation's SAML IdP when the config says SAML", async () => {
    const saml = { idpMetadataUrl: "https://idp.example.com/metadata.xml", roleAssertion: "role", adminRoleValues: ["grafana-admin"], editorRoleValues: ["sre"] };
    const b = await build("staging", (c) => ({ ...c, observability: { ...c.observability, grafanaAuthentication: "SAML", grafanaSaml: saml } }));
    assert.deepEqual(one(b, "aws:grafana/workspace:Workspace").inputs.authenticationProviders, ["SAML"]);
    const config = one(b, "aws:grafana/workspaceSamlConfiguration:WorkspaceSamlConfiguration");
    assert.equal(config.inputs.workspaceId, "webhooks-staging-grafana-id");
    assert.equal(config.inputs.idpMetadataUrl, saml.idpMetadataUrl);
    assert.deepEqual(config.inputs.adminRoleValues, ["grafana-admin"]);
    assert.equal(ofType(built.prod, "aws:grafana/workspaceSamlConfiguration:WorkspaceSamlConfiguration").length, 0);
  });
});

describe("Observability in the prod stack, composed by buildPlatform", () => {
  let stack: Built;
  let outputs: Record<string, unknown>;
  before(async () => {
    resetResources();
    const config = loadPlatformConfig(stackFileSource("prod"));
    const platform = buildPlatform(config, loadContracts(), { transformations: [recordOptions] });
    await settle();
    stack = { config, component: undefined as unknown as Observability, resources: [...allResources()] };
    outputs = Object.fromEntries(await Promise.all(Object.entries(platform.outputs).map(async ([k, v]) => [k, await valueOf(v)])));
  });

  it("trusts the stack's EKS OIDC provider and installs the collector through the cluster's provider once the cluster is ready", async () => {
    const trust = json(one(stack, "aws:iam/role:Role", "platform-otel-collector").inputs.assumeRolePolicy);
    assert.equal(trust.Statement[0].Principal.Federated, "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/STACK");
    const opts = optionsOf("kubernetes:helm.sh/v3:Release", "webhooks-prod-otel-collector");
    assert.ok(opts.provider, "the release names its provider");
    assert.match(await valueOf(opts.provider.urn), /pulumi:providers:kubernetes::webhooks-prod-k8s$/);
    const dependsOn = (opts.dependsOn ?? []) as pulumi.Resource[];
    assert.ok(dependsOn.length >= 3, "waits for the role policy, kube-state-metrics and the cluster");
  });

  it("alarms on the lag of the stack's own MSK clusters", () => {
    const expressions = ofType(stack, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.metricQueries[0].expression as string);
    assert.ok(expressions.some((e) => e.includes("'webhooks-prod-msk-ingress'") && e.includes(consumerGroups.processor)));
    assert.ok(expressions.some((e) => e.includes("'webhooks-prod-msk-egress'") && e.includes(consumerGroups.dispatcher)));
  });

  it("exports the workspace, remote-write URL, collector role, OTLP endpoint, alert topic, log groups and Grafana", () => {
    assert.equal(outputs.prometheusWorkspaceId, "webhooks-prod-prometheus-id");
    assert.equal(outputs.prometheusRemoteWriteUrl, "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-webhooks-prod-prometheus/api/v1/remote_write");
    assert.equal(outputs.otelCollectorRoleArn, `arn:aws:iam::${mockAccountId}:role/platform-otel-collector`);
    assert.equal(outputs.otlpEndpoint, otlpEndpoint);
    assert.equal(outputs.alertTopicArn, `arn:aws:sns:us-east-1:${mockAccountId}:webhooks-prod-alerts`);
    assert.deepEqual(outputs.logGroupNames, { gateway: "/webhooks/prod/gateway", admin: "/webhooks/prod/admin" });
    assert.equal(outputs.grafanaUrl, "https://g-webhooks-prod-grafana.grafana-workspace.us-east-1.amazonaws.com");
    assert.equal(outputs.grafanaWorkspaceId, "webhooks-prod-grafana-id");
  });

  it("encrypts the stack's log groups of this tier with the stack's logs CMK", () => {
    for (const name of ["webhooks-prod-gateway-logs", "webhooks-prod-admin-logs", "webhooks-prod-prometheus-logs"]) {
      assert.equal(one(stack, "aws:cloudwatch/logGroup:LogGroup", name).inputs.kmsKeyId, `arn:aws:kms:us-east-1:${mockAccountId}:key/webhooks-prod-logs-key`);
    }
  });
});
