// IAM and resource policies of the observability tier, as pure functions over plain ARNs (the
// component resolves the outputs and calls them; the tests call them directly).

import type { PolicyDocument } from "../components/iam-policies";

/**
 * The collector's IRSA policy: remote write to the env's AMP workspace only, and X-Ray's
 * segment upload and sampling calls, which X-Ray authorises on `*` alone (they name no
 * resource: they are not data actions on a resource of ours).
 */
export function collectorPolicy(workspaceArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PrometheusRemoteWrite", Effect: "Allow", Action: ["aps:RemoteWrite"], Resource: [workspaceArn] },
      {
        Sid: "XRayTracesAndSampling",
        Effect: "Allow",
        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
        Resource: ["*"],
      },
    ],
  };
}

export interface GrafanaPolicyArns {
  region: string;
  accountId: string;
  workspaceArn: string;
  alertTopicArn: string;
  /** The CMK of the alert topic: publishing to an encrypted topic needs a data key. */
  keyArn: string;
}

/**
 * The Grafana workspace's role: query the env's AMP workspace, read CloudWatch metrics and the
 * account's logs, read X-Ray traces, and publish notifications to the alert topic. CloudWatch
 * metric reads, tag lookups and X-Ray reads name no resource, so AWS accepts them on `*` only.
 */
export function grafanaPolicy(a: GrafanaPolicyArns): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PrometheusQuery",
        Effect: "Allow",
        Action: ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata", "aps:DescribeWorkspace"],
        Resource: [a.workspaceArn],
      },
      { Sid: "PrometheusList", Effect: "Allow", Action: ["aps:ListWorkspaces"], Resource: ["*"] },
      {
        Sid: "CloudWatchMetricsRead",
        Effect: "Allow",
        Action: [
          "cloudwatch:DescribeAlarmsForMetric",
          "cloudwatch:DescribeAlarmHistory",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:ListMetrics",
          "cloudwatch:GetMetricData",
          "cloudwatch:GetInsightRuleReport",
          "tag:GetResources",
          "ec2:DescribeRegions",
        ],
        Resource: ["*"],
      },
      {
        Sid: "CloudWatchLogsRead",
        Effect: "Allow",
        Action: ["logs:DescribeLogGroups", "logs:GetLogGroupFields", "logs:StartQuery", "logs:StopQuery", "logs:GetQueryResults", "logs:GetLogEvents"],
        Resource: [`arn:aws:logs:${a.region}:${a.accountId}:log-group:*`],
      },
      {
        Sid: "XRayRead",
        Effect: "Allow",
        Action: [
          "xray:BatchGetTraces",
          "xray:GetTraceSummaries",
          "xray:GetTraceGraph",
          "xray:GetGroups",
          "xray:GetTimeSeriesServiceStatistics",
          "xray:GetInsightSummaries",
          "xray:GetInsight",
          "xray:GetServiceGraph",
        ],
        Resource: ["*"],
      },
      { Sid: "AlertNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: [a.alertTopicArn] },
      { Sid: "AlertTopicKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [a.keyArn] },
    ],
  };
}

/**
 * Key policy of the observability CMK (AMP workspace, Grafana workspace, alert topic). As in
 * components/keys.ts the root statement hands control to IAM; AMP's alert manager and
 * CloudWatch alarms publish to the encrypted topic as services, which IAM delegation does not
 * cover, so they get the data-key actions, for this account's resources only.
 */
export function observabilityKeyPolicy(accountId: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "AlertPublishersEncryptNotifications",
        Effect: "Allow",
        Principal: { Service: ["aps.amazonaws.com", "cloudwatch.amazonaws.com"] },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/** Policy of the alert topic: AMP's alert manager (this workspace) and CloudWatch alarms (this account) may publish. */
export function alertTopicPolicy(topicArn: string, workspaceArn: string, accountId: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountOwnsTopic",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        Resource: topicArn,
      },
      {
        Sid: "PrometheusAlertManagerPublishes",
        Effect: "Allow",
        Principal: { Service: "aps.amazonaws.com" },
        Action: ["sns:Publish", "sns:GetTopicAttributes"],
        Resource: topicArn,
        Condition: { ArnEquals: { "aws:SourceArn": workspaceArn }, StringEquals: { "aws:SourceAccount": accountId } },
      },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["sns:Publish"],
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}
