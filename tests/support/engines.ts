// What an integration test needs from the engines that tests/run.ts starts once per run:
// their addresses, clients on them, and names that keep one test's data away from another's.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Kafka, logLevel } from "kafkajs";
import { localAwsCredentials, localAwsRegion } from "../../local/engines/dynamodb";
import { startKafka, type KafkaHandle } from "../../local/engines/kafka";

/** The variables tests/run.ts sets for the test processes. */
export const engineVariables = {
  kafkaBrokers: "TEST_KAFKA_BROKERS",
  dynamoEndpoint: "TEST_DYNAMODB_ENDPOINT",
  motoEndpoint: "TEST_MOTO_ENDPOINT",
} as const;

function required(variable: string, engine: string): string {
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${variable} is not set: this test needs ${engine}. Run it through \`npm test\` ` +
        `(e.g. \`npm test -- <file>\`), which starts the engines and sets ${variable}.`,
    );
  }
  return value;
}

/** `127.0.0.1:<port>` of the run's Kafka 3.7 broker. */
export function kafkaBrokers(): string {
  return required(engineVariables.kafkaBrokers, "Apache Kafka");
}

/** `http://127.0.0.1:<port>` of the run's DynamoDB Local. */
export function dynamoEndpoint(): string {
  return required(engineVariables.dynamoEndpoint, "DynamoDB Local");
}

/** `http://127.0.0.1:<port>` of the run's moto server (Glue, Secrets Manager). */
export function motoEndpoint(): string {
  return required(engineVariables.motoEndpoint, "a moto server");
}

/**
 * A name unique to this call: lower case, `[a-z0-9_]`, ending in `_`, at most 40 characters.
 * Usable as a table prefix (`<prefix>event_schema`), as a topic name segment (domain, partner
 * id) and inside topic names and consumer group ids.
 */
export function uniquePrefix(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 28);
  const suffix = randomBytes(5).toString("hex");
  return `${slug ? `${/^[a-z0-9]/.test(slug) ? "" : "t"}${slug}_` : "t_"}${suffix}_`;
}

/** Settings for any AWS SDK v3 client pointed at a local endpoint: dummy credentials, us-east-1. */
export function localAwsClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: localAwsRegion, credentials: { ...localAwsCredentials } };
}

/** A DynamoDB client on the run's DynamoDB Local. Destroy it in `after()`. */
export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient(localAwsClientConfig(dynamoEndpoint()));
}

/** A kafkajs client on the run's broker, silent (tests assert; they do not read client logs). */
export function kafka(clientId = "tests"): Kafka {
  return new Kafka({ clientId, brokers: [kafkaBrokers()], logLevel: logLevel.NOTHING });
}

export interface PrivateKafka extends KafkaHandle {
  /** Stops the broker and removes its data. */
  dispose(): Promise<void>;
}

/**
 * A broker of the test's own, for tests that stop and restart Kafka (the run's shared broker
 * must stay up for the other files). Slower than `kafkaBrokers()`: a JVM start, a few seconds.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const stateDir = await mkdtemp(join(tmpdir(), "webhooks-private-kafka-"));
  const handle = await startKafka({ stateDir, heapMb: 384, log: () => undefined });
  return {
    brokers: handle.brokers,
    port: handle.port,
    logDir: handle.logDir,
    get running() {
      return handle.running;
    },
    stop: () => handle.stop(),
    start: () => handle.start(),
    restart: () => handle.restart(),
    async dispose() {
      await handle.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
