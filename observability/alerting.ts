// Where alerts go, and the CloudWatch queries behind the alarms AMP cannot evaluate.

import { stringify } from "yaml";

/** The AMP alert manager configuration: every alert to the env's SNS topic, grouped per alert and severity. */
export function alertManagerDefinition(topicArn: string, region: string): string {
  return stringify({
    alertmanager_config: stringify({
      route: { receiver: "sns", group_by: ["alertname", "severity"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
      receivers: [
        {
          name: "sns",
          sns_configs: [
            {
              topic_arn: topicArn,
              sigv4: { region },
              subject: "[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }}",
            },
          ],
        },
      ],
    }),
  }, { blockQuote: "literal" });
}

/**
 * CloudWatch Metrics Insights query of a consumer group's lag on one MSK cluster: the largest
 * SumOffsetLag (lag summed over a topic's partitions) over the group's topics, which are many
 * and created at run time, so no fixed dimension set could name them.
 */
export function consumerLagQuery(clusterName: string, consumerGroup: string): string {
  for (const [what, v] of [["cluster name", clusterName], ["consumer group", consumerGroup]] as const) {
    if (v.includes("'")) throw new Error(`consumerLagQuery: the ${what} ${JSON.stringify(v)} must not contain a quote`);
  }
  return `SELECT MAX(SumOffsetLag) FROM SCHEMA("AWS/Kafka", "Cluster Name", "Consumer Group", Topic) WHERE "Cluster Name" = '${clusterName}' AND "Consumer Group" = '${consumerGroup}'`;
}
