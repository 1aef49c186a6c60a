// charts/<svc>/ci/<env>-values.yaml are what the chart tests render; they must be what the
// Services component passes for Pulumi.<env>.yaml. Each file is rebuilt here with the
// component's chartValues from the stack file, taking only the infrastructure outputs
// (account, brokers, ARNs) from the file itself, and must come out identical.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { envs, loadPlatformConfig } from "../../config";
import { serviceNames } from "../../model/access";
import { chartValues } from "../../components/service-values";
import { brokerServerProperties } from "../../components/event-backbone";
import { repoChartsDir } from "./helm";
import { stackFileSource } from "../support/stack-file";

describe("per-environment chart values", () => {
  for (const env of envs) {
    const config = loadPlatformConfig(stackFileSource(env));
    for (const service of serviceNames) {
      it(`${service} ${env}: ci/${env}-values.yaml is what the Services component passes for Pulumi.${env}.yaml`, () => {
        const file = parse(readFileSync(join(repoChartsDir, service, "ci", `${env}-values.yaml`), "utf8"));
        const expected = chartValues(service, {
          env,
          region: config.region,
          spec: config.services[service],
          vpcCidr: config.network.vpcCidr,
          imageRepository: file.image.repository,
          imageTag: file.image.tag,
          roleArn: file.serviceAccount.roleArn,
          brokers: { ingress: file.config.kafka.ingressBrokers, egress: file.config.kafka.egressBrokers },
          environment: {
            glueRegistryName: file.env.GLUE_REGISTRY_NAME,
            adminTokenSecretId: file.env.ADMIN_TOKEN_SECRET_ID,
            topicPartitions: config.kafka.topicPartitions,
            replicationFactor: Number(brokerServerProperties(config.kafka.topicPartitions)["default.replication.factor"]),
            idempotencyTtlHours: config.dataStore.idempotencyTtlHours,
          },
          otelEndpoint: file.config.otelEndpoint,
          ingress: { scheme: config.ingress.scheme, host: config.ingress.domain ?? "", certificateArn: file.ingress?.certificateArn ?? "" },
        });
        assert.deepEqual(file, JSON.parse(JSON.stringify(expected)));
        if (service === "gateway") assert.equal(Boolean(file.ingress.certificateArn), Boolean(config.ingress.domain), "a certificate exactly where a domain is set");
      });
    }
  }
});
