// The engines the harness and `npm start` run: a real Kafka 3.7 broker, DynamoDB Local with
// the model's tables, moto; and the launchers' lifecycle (stop frees everything, restart keeps data).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Kafka, logLevel } from "kafkajs";
import { tableIds, tableName, tables, type TableDefinition } from "../../model/tables";
import { localEnginePorts } from "../../model/ports";
import { createTables, deleteTables } from "../../local/create-tables";
import { startDynamoDb } from "../../local/engines/dynamodb";
import { newClusterId, startKafka } from "../../local/engines/kafka";
import { freePorts, isPortFree } from "../../local/engines/ports";
import { requireCommand } from "../../local/engines/prerequisites";
import {
  dynamoClient,
  kafka,
  localAwsClientConfig,
  motoEndpoint,
  startPrivateKafka,
  uniquePrefix,
  type PrivateKafka,
} from "../support/engines";

/** Reads one record of a topic from its beginning, with a fresh consumer group. */
async function firstRecord(client: Kafka, topic: string, timeoutMs = 30_000): Promise<{ key: string; value: string }> {
  const consumer = client.consumer({ groupId: `${topic}-reader`, sessionTimeout: 10_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record on ${topic} within ${timeoutMs} ms`)), timeoutMs);
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve({ key: message.key?.toString() ?? "", value: message.value?.toString() ?? "" });
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

async function createTopic(client: Kafka, topic: string): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), true);
  } finally {
    await admin.disconnect();
  }
}

async function produce(client: Kafka, topic: string, key: string, value: string): Promise<void> {
  const producer = client.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

/** Processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("Kafka 3.7 broker of the test run", () => {
  const client = kafka("engines-test");
  const prefix = uniquePrefix("engines kafka");

  it("creates a topic, and a produced record is consumed back", async () => {
    const topic = `${prefix}roundtrip`;
    await createTopic(client, topic);
    await produce(client, topic, "order-1", '{"hello":"kafka"}');
    assert.deepEqual(await firstRecord(client, topic), { key: "order-1", value: '{"hello":"kafka"}' });
  });

  it("does not create topics on first use (auto.create.topics.enable=false, as on MSK)", async () => {
    const topic = `${prefix}never_created`;
    const producer = client.producer({ allowAutoTopicCreation: true, retry: { retries: 1, initialRetryTime: 100 } });
    await producer.connect();
    try {
      await assert.rejects(producer.send({ topic, messages: [{ value: "x" }] }), /topic|partition/i);
    } finally {
      await producer.disconnect();
    }
    const admin = client.admin();
    await admin.connect();
    try {
      assert.equal((await admin.listTopics()).includes(topic), false);
    } finally {
      await admin.disconnect();
    }
  });
});

describe("KRaft cluster ids", () => {
  it("are 22 base64url characters and never start with '-', which the storage tool would read as an option", () => {
    const ids = Array.from({ length: 5_000 }, newClusterId);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe("Kafka launcher lifecycle", () => {
  let broker: PrivateKafka;

  before(async () => {
    broker = await startPrivateKafka();
  });

  after(async () => {
    await broker?.dispose();
  });

  it("stop() ends the broker's java process and frees its port; start() brings back the same data on the same port", async () => {
    const brokerClient = new Kafka({ clientId: "engines-lifecycle", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const topic = "lifecycle.kept";
    await createTopic(brokerClient, topic);
    await produce(brokerClient, topic, "k", "survives a restart");

    const serverProperties = join(dirname(broker.logDir), "server.properties");
    assert.notDeepEqual(processesMentioning(serverProperties), [], "the broker runs before stop()");

    await broker.stop();
    assert.equal(broker.running, false);
    assert.equal(await isPortFree(broker.port), true, `port ${broker.port} is free after stop()`);
    assert.deepEqual(processesMentioning(serverProperties), [], "no java process of the broker is left");

    await broker.start();
    assert.equal(broker.running, true);
    assert.deepEqual(await firstRecord(brokerClient, topic), { key: "k", value: "survives a restart" });
  });

  it("restart() is stop() then start(): the broker answers again with its data", async () => {
    const brokerClient = new Kafka({ clientId: "engines-restart", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    await produce(brokerClient, "lifecycle.kept", "k2", "after restart()");
    await broker.restart();
    assert.equal(broker.running, true);
    const admin = brokerClient.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets("lifecycle.kept");
      assert.equal(offsets[0]?.high, "2", "both records are still in the partition");
    } finally {
      await admin.disconnect();
    }
  });
});

describe("Kafka launcher on an existing state dir (npm start run again)", () => {
  it("formats once and a second launcher on the same dir, on new ports, serves the topics and records of the first", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "engines-test-kafka-"));
    const quiet = () => undefined;
    try {
      const first = await startKafka({ stateDir, log: quiet });
      const firstClient = new Kafka({ clientId: "engines-rerun", brokers: [first.brokers], logLevel: logLevel.NOTHING });
      await createTopic(firstClient, "rerun.kept");
      await produce(firstClient, "rerun.kept", "a", "from the first run");
      await first.stop();

      const second = await startKafka({ stateDir, log: quiet });
      try {
        const secondClient = new Kafka({ clientId: "engines-rerun", brokers: [second.brokers], logLevel: logLevel.NOTHING });
        assert.deepEqual(await firstRecord(secondClient, "rerun.kept"), { key: "a", value: "from the first run" });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("DynamoDB Local with the model's tables", () => {
  let client: DynamoDBClient;
  const prefix = uniquePrefix("engines dynamo");

  before(async () => {
    client = dynamoClient();
    await createTables(client, prefix);
  });

  after(async () => {
    await deleteTables(client, prefix);
    client.destroy();
  });

  for (const id of tableIds) {
    const model: TableDefinition = tables[id];
    it(`creates ${model.name} with its keys, GSIs and on-demand billing`, async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName(id, prefix) }));
      assert.equal(Table?.TableStatus, "ACTIVE");
      assert.equal(Table?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
      const expectedKeys = [{ AttributeName: model.hashKey, KeyType: "HASH" }];
      if (model.rangeKey) expectedKeys.push({ AttributeName: model.rangeKey, KeyType: "RANGE" });
      assert.deepEqual(Table?.KeySchema, expectedKeys);

      const indexes = (Table?.GlobalSecondaryIndexes ?? [])
        .map((gsi) => ({
          name: gsi.IndexName,
          keys: gsi.KeySchema?.map((k) => `${k.KeyType}:${k.AttributeName}`),
          projection: gsi.Projection?.ProjectionType,
          status: gsi.IndexStatus,
        }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
      const expectedIndexes = model.indexes
        .map((index) => ({
          name: index.name,
          keys: [`HASH:${index.hashKey}`, ...(index.rangeKey ? [`RANGE:${index.rangeKey}`] : [])],
          projection: index.projection,
          status: "ACTIVE",
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(indexes, expectedIndexes);
    });

    it(`sets TTL on ${model.name} exactly when the model names a TTL attribute`, async () => {
      const { TimeToLiveDescription } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: tableName(id, prefix) }),
      );
      if (model.ttlAttribute) {
        assert.equal(TimeToLiveDescription?.TimeToLiveStatus, "ENABLED");
        assert.equal(TimeToLiveDescription?.AttributeName, model.ttlAttribute);
      } else {
        assert.equal(TimeToLiveDescription?.TimeToLiveStatus, "DISABLED");
      }
    });
  }

  it("leaves existing tables alone when run again, and deleteTables removes only its prefix", async () => {
    await createTables(client, prefix);
    const other = uniquePrefix("engines other");
    await createTables(client, other);
    await deleteTables(client, other);
    const names = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    assert.equal(names.filter((n) => n.startsWith(other)).length, 0);
    assert.equal(names.filter((n) => n.startsWith(prefix)).length, tableIds.length);
  });
});

describe("DynamoDB Local launcher", () => {
  it("answers on a free loopback port and frees it on stop()", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "engines-test-dynamo-"));
    try {
      const dynamo = await startDynamoDb({ stateDir, log: () => undefined });
      assert.match(dynamo.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      await dynamo.stop();
      assert.equal(await isPortFree(dynamo.port), true);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("free ports for a platform on loopback", () => {
  it("hands out as many different ports as asked, each free to bind", async () => {
    const ports = await freePorts(12);
    assert.equal(new Set(ports).size, 12);
    for (const port of ports) assert.ok(await isPortFree(port), `port ${port} is in use`);
  });
});

describe("fixed ports (npm start)", () => {
  it("refuses a taken port with an error naming the port and the variable that moves it", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const stateDir = await mkdtemp(join(tmpdir(), "engines-test-port-"));
    try {
      await assert.rejects(
        startDynamoDb({ stateDir, port: taken, log: () => undefined }),
        new RegExp(`DynamoDB Local: port 127\\.0\\.0\\.1:${taken} is already in use \\(set ${localEnginePorts.dynamodb.envVar}`),
      );
      await assert.rejects(
        startKafka({ stateDir, port: taken, log: () => undefined }),
        new RegExp(`Kafka: port 127\\.0\\.0\\.1:${taken} is already in use \\(set ${localEnginePorts.kafka.envVar}`),
      );
    } finally {
      blocker.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("moto server of the test run", () => {
  it("serves Secrets Manager: a secret written is read back", async () => {
    const client = new SecretsManagerClient(localAwsClientConfig(motoEndpoint()));
    try {
      const name = `${uniquePrefix("engines moto")}admin-token`;
      await client.send(new CreateSecretCommand({ Name: name, SecretString: "s3cret" }));
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
      assert.equal(SecretString, "s3cret");
    } finally {
      client.destroy();
    }
  });
});

describe("prerequisites", () => {
  it("names what to install when a command is missing", async () => {
    await assert.rejects(
      requireCommand({ command: "no-such-engine-tool-xyz", versionArgs: ["--version"], install: "the XYZ tool (apt-get install xyz)" }),
      /no-such-engine-tool-xyz is not installed.*Install the XYZ tool \(apt-get install xyz\)/,
    );
  });
});
