// The whole platform on one machine: real Kafka 3.7 (KRaft) and DynamoDB Local, the tables
// and topics of the shared model, contracts/ in the local schema registry, the four services
// as child processes, a demo receiver, and a demo producer and subscription made through the
// admin API exactly as an operator would make them.

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Kafka, logLevel } from "kafkajs";
import { loadContracts } from "../model/contracts";
import { serviceNames, type ServiceName } from "../model/access";
import { LocalSchemaRegistry } from "../apps/shared/registry/local";
import { parseRetrySchedule } from "../apps/dispatcher/schedule";
import { startKafka, type KafkaHandle } from "./engines/kafka";
import { startDynamoDb, localAwsCredentials, localAwsRegion, type DynamoDbHandle } from "./engines/dynamodb";
import { requirePortFree } from "./engines/ports";
import { timed, type EngineLog } from "./engines/log";
import { createTables } from "./create-tables";
import { createTopics } from "./create-topics";
import { startDemoReceiver, type DemoReceiver } from "./receiver";
import { Supervisor } from "./supervisor";
import { createDemoTenant, type DemoTenant } from "./demo-tenant";
import type { LocalSettings } from "./settings";

export const repoRoot = resolve(__dirname, "..");

export interface LocalPlatform {
  readonly urls: Readonly<Record<ServiceName | "receiver", string>>;
  readonly kafkaBrokers: string;
  readonly dynamodbEndpoint: string;
  readonly adminToken: string;
  readonly demo: DemoTenant;
  readonly receiver: DemoReceiver;
  stop(): Promise<void>;
}

/**
 * kafkajs 2.2 sets timers with negative durations, which Node 22+ warns about on every
 * start; the warning is harmless (Node uses 1 ms) and only hides real output.
 */
const serviceNodeFlags = ["--import", "tsx", "--disable-warning=TimeoutNegativeWarning"];

/** Services stop in this order: intake first, so nothing new arrives while the consumers drain. */
const stopOrder: ServiceName[] = ["gateway", "admin", "processor", "dispatcher"];
const colors: Record<ServiceName, number> = { gateway: 36, admin: 35, processor: 33, dispatcher: 32 };

export interface StartHooks {
  /** Progress and log lines. */
  out: EngineLog;
  /** Called once when a service dies while the platform is up. */
  onFatal: (reason: string) => void;
}

export async function startLocalPlatform(settings: LocalSettings, hooks: StartHooks): Promise<LocalPlatform> {
  const { out } = hooks;
  const stateDir = settings.LOCAL_STATE_DIR;
  mkdirSync(stateDir, { recursive: true });
  const ports: Record<ServiceName, number> = {
    gateway: settings.GATEWAY_PORT,
    admin: settings.ADMIN_PORT,
    processor: settings.PROCESSOR_PORT,
    dispatcher: settings.DISPATCHER_PORT,
  };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => out(`while stopping: ${err.message}`));
  };

  try {
    await timed(out, "ports free", async () => {
      for (const name of serviceNames) await requirePortFree(ports[name], name, `${name.toUpperCase()}_PORT`);
      await requirePortFree(settings.RECEIVER_PORT, "demo receiver", "RECEIVER_PORT");
      if (!settings.KAFKA_BROKERS) await requirePortFree(settings.KAFKA_PORT, "Kafka", "KAFKA_PORT (or KAFKA_BROKERS to use a running Kafka)");
      if (!settings.DYNAMODB_ENDPOINT) await requirePortFree(settings.DYNAMODB_PORT, "DynamoDB Local", "DYNAMODB_PORT (or DYNAMODB_ENDPOINT to use a running one)");
    });

    const [kafka, dynamo] = await Promise.all([
      settings.KAFKA_BROKERS ? undefined : startKafka({ stateDir, port: settings.KAFKA_PORT, log: out }),
      settings.DYNAMODB_ENDPOINT ? undefined : startDynamoDb({ stateDir, port: settings.DYNAMODB_PORT, inMemory: false, log: out }),
    ]);
    if (dynamo) stops.push(() => dynamo.stop());
    if (kafka) stops.push(() => kafka.stop());
    const kafkaBrokers = settings.KAFKA_BROKERS ?? (kafka as KafkaHandle).brokers;
    const dynamodbEndpoint = settings.DYNAMODB_ENDPOINT ?? (dynamo as DynamoDbHandle).endpoint;

    await prepareData(kafkaBrokers, dynamodbEndpoint, settings, out);

    const receiver = await startDemoReceiver(settings.RECEIVER_PORT, (line) => out(`receiver  | ${line}`));
    stops.push(() => receiver.close());

    const adminToken = settings.ADMIN_TOKEN ?? randomBytes(24).toString("base64url");
    writeFileSync(join(stateDir, "admin-token"), `${adminToken}\n`, { mode: 0o600 });

    let fatal = false;
    const supervisor = new Supervisor(out, (name, code, signal) => {
      if (fatal) return;
      fatal = true;
      hooks.onFatal(`${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
    stops.push(() => supervisor.stopAll(stopOrder));
    const env = serviceEnv(settings, kafkaBrokers, dynamodbEndpoint, adminToken);
    await timed(out, "services ready", () =>
      Promise.all(
        serviceNames.map((name) =>
          supervisor.start({
            name,
            command: process.execPath,
            args: [...serviceNodeFlags, join("apps", name, "main.ts")],
            cwd: repoRoot,
            env: { ...env, PORT: String(ports[name]) },
            readyUrl: `http://127.0.0.1:${ports[name]}/readyz`,
            color: colors[name],
          }),
        ),
      ),
    );

    const urls = {
      gateway: `http://127.0.0.1:${ports.gateway}`,
      admin: `http://127.0.0.1:${ports.admin}`,
      processor: `http://127.0.0.1:${ports.processor}`,
      dispatcher: `http://127.0.0.1:${ports.dispatcher}`,
      receiver: receiver.url,
    };
    const demo = await timed(out, "demo producer and subscription", () => createDemoTenant(urls.admin, urls.gateway, adminToken, receiver));

    const platform: LocalPlatform = { urls, kafkaBrokers, dynamodbEndpoint, adminToken, demo, receiver, stop: stopAll };
    writeFileSync(
      join(stateDir, "platform.json"),
      JSON.stringify({ urls, kafkaBrokers, dynamodbEndpoint, adminToken, demoProducerKey: demo.producerKey, demoSubscriptionId: demo.subscriptionId, pid: process.pid }, null, 2),
      { mode: 0o600 },
    );
    return platform;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Tables, the contracts in the local schema registry, and the topics every service expects. */
async function prepareData(kafkaBrokers: string, dynamodbEndpoint: string, settings: LocalSettings, out: EngineLog): Promise<void> {
  const contracts = loadContracts();
  const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: localAwsRegion, credentials: localAwsCredentials });
  const admin = new Kafka({ clientId: "local-platform", brokers: kafkaBrokers.split(","), logLevel: logLevel.NOTHING }).admin();
  try {
    await timed(out, "tables", () => createTables(client, ""));
    await timed(out, "contracts in the schema registry", async () => {
      const report = await new LocalSchemaRegistry(DynamoDBDocumentClient.from(client), "").seedFromContracts(contracts);
      if (report.created.length > 0) out(`registered ${report.created.join(", ")}`);
    });
    await admin.connect();
    await timed(out, "topics", () =>
      createTopics(admin, {
        eventTypes: contracts.map((c) => ({ domain: c.domain, event: c.event })),
        retrySchedule: parseRetrySchedule(settings.DELIVERY_RETRY_SCHEDULE),
        sizing: { partitions: localPartitions, replicationFactor: 1 },
      }),
    );
  } finally {
    await admin.disconnect();
    client.destroy();
  }
}

/** A single local broker gains nothing from six partitions per topic; three keep per-partner concurrency visible. */
const localPartitions = 3;

function serviceEnv(settings: LocalSettings, kafkaBrokers: string, dynamodbEndpoint: string, adminToken: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "development",
    LISTEN_HOST: "127.0.0.1",
    LOG_LEVEL: settings.LOG_LEVEL,
    AWS_REGION: localAwsRegion,
    AWS_ACCESS_KEY_ID: localAwsCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localAwsCredentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    KAFKA_AUTH: "none",
    KAFKA_INGRESS_BROKERS: kafkaBrokers,
    KAFKA_EGRESS_BROKERS: kafkaBrokers,
    KAFKA_REPLICATION_FACTOR: "1",
    KAFKA_TOPIC_PARTITIONS: String(localPartitions),
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    // DynamoDB Local does all database work on one thread and charges per request: the
    // services group-commit their writes into transactions (BENCHMARKS.md: 5-10x the writes/s).
    DYNAMODB_GROUP_COMMIT: "true",
    SCHEMA_REGISTRY: "local",
    ADMIN_TOKEN: adminToken,
    DELIVERY_RETRY_SCHEDULE: settings.DELIVERY_RETRY_SCHEDULE,
    DELIVERY_ALLOW_PRIVATE_TARGETS: String(settings.DELIVERY_ALLOW_PRIVATE_TARGETS),
    // New ingress and egress topics (a schema registered, a subscription created) are picked
    // up within two seconds locally, instead of the ten that suit a cluster.
    TOPIC_REFRESH_MS: "2000",
  };
}
