// A real single-node Apache Kafka 3.7 broker in KRaft mode (broker and controller in one
// process), from Maven Central jars, on loopback. The same handle stops and starts the broker
// again on the same port and data, so tests can take Kafka away and bring it back.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { localEnginePorts } from "../../model/ports";
import { fetchArtifacts, libDir, type MavenArtifact } from "./maven";
import { stderrLog, timed, type EngineLog } from "./log";
import { LOOPBACK, freePorts, requirePortFree, waitForPortFree } from "./ports";
import { java, requireCommand } from "./prerequisites";
import { runCommand, spawnEngine, waitUntilReady, type EngineProcess } from "./process";

export const KAFKA_VERSION = "3.7.2";

const artifacts: readonly MavenArtifact[] = [
  { groupId: "org.apache.kafka", artifactId: "kafka_2.13", version: KAFKA_VERSION },
  // The broker logs through slf4j 1.7.36; the Kafka 3.7 distribution binds it to reload4j.
  { groupId: "org.slf4j", artifactId: "slf4j-reload4j", version: "1.7.36" },
  { groupId: "ch.qos.reload4j", artifactId: "reload4j", version: "1.2.25" },
];

export interface KafkaOptions {
  /** Data, configuration and logs go under `<stateDir>/kafka`. Reused by the next start. */
  readonly stateDir: string;
  /** Client port; a free one when absent (tests). `npm start` passes 9092. */
  readonly port?: number;
  /** KRaft controller port; a free one when absent. */
  readonly controllerPort?: number;
  readonly heapMb?: number;
  readonly readyTimeoutMs?: number;
  readonly log?: EngineLog;
}

export interface KafkaHandle {
  /** `127.0.0.1:<port>`, for KAFKA_*_BROKERS. */
  readonly brokers: string;
  readonly port: number;
  readonly logDir: string;
  readonly running: boolean;
  /** Stops the broker: SIGTERM, SIGKILL after a grace period; resolves when the port is free. */
  stop(): Promise<void>;
  /** Starts the stopped broker again, same port and data; resolves when it answers. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
}

/** The default port of a local broker, from the model (overridable by KAFKA_PORT). */
export const defaultKafkaPort = localEnginePorts.kafka.port;

interface KafkaLayout {
  readonly home: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly serverProperties: string;
  readonly log4jProperties: string;
}

function layout(stateDir: string): KafkaLayout {
  const home = join(stateDir, "kafka");
  return {
    home,
    dataDir: join(home, "data"),
    logDir: join(home, "logs"),
    serverProperties: join(home, "server.properties"),
    log4jProperties: join(home, "log4j.properties"),
  };
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  const settings: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@${LOOPBACK}:${controllerPort}`,
    listeners: `PLAINTEXT://${LOOPBACK}:${port},CONTROLLER://${LOOPBACK}:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${LOOPBACK}:${port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": dataDir,
    // One broker: every replication setting is 1. Like MSK, topics are created explicitly.
    "auto.create.topics.enable": false,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "min.insync.replicas": 1,
    "offsets.topic.replication.factor": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    // Fewer internal partitions than the default 50: the first consumer group and the first
    // transaction start in well under a second instead of several.
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.num.partitions": 10,
    "group.initial.rebalance.delay.ms": 0,
    "delete.topic.enable": true,
    "log.retention.check.interval.ms": 60_000,
    "num.network.threads": 2,
    "num.io.threads": 4,
    "num.recovery.threads.per.data.dir": 1,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")
    .concat("\n");
}

function log4jProperties(logDir: string): string {
  const file = join(logDir, "server.log").replace(/\\/g, "/");
  return [
    // Warnings and errors also go to stdout (the process log), whose tail a failed start shows.
    "log4j.rootLogger=INFO, file, console",
    "log4j.appender.console=org.apache.log4j.ConsoleAppender",
    "log4j.appender.console.Threshold=WARN",
    "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.console.layout.ConversionPattern=[%d] %p %m (%c)%n",
    "log4j.appender.file=org.apache.log4j.RollingFileAppender",
    `log4j.appender.file.File=${file}`,
    "log4j.appender.file.MaxFileSize=20MB",
    "log4j.appender.file.MaxBackupIndex=2",
    "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
    // The per-request and state-change chatter of a busy broker buries what matters.
    "log4j.logger.kafka.request.logger=WARN",
    "log4j.logger.kafka.controller=INFO",
    "log4j.logger.state.change.logger=WARN",
    "log4j.logger.org.apache.kafka.clients=WARN",
    "",
  ].join("\n");
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid`
 * prints. Like Kafka's Uuid.randomUuid, never one starting with `-`: the storage tool's argument
 * parser would take it for an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

async function formatStorage(lib: string, paths: KafkaLayout): Promise<void> {
  if (existsSync(join(paths.dataDir, "meta.properties"))) return; // formatted by an earlier start
  const clusterIdFile = join(paths.home, "cluster-id");
  const saved = existsSync(clusterIdFile) ? readFileSync(clusterIdFile, "utf8").trim() : "";
  const clusterId = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(saved) ? saved : newClusterId();
  writeFileSync(clusterIdFile, clusterId);
  const result = await runCommand(
    "java",
    [
      "-Xmx256m",
      `-Dlog4j.configuration=file:${paths.log4jProperties}`,
      "-cp",
      join(lib, "*"),
      "kafka.tools.StorageTool",
      "format",
      "-t",
      clusterId,
      "-c",
      paths.serverProperties,
      "--ignore-formatted",
    ],
    { cwd: paths.home, timeoutMs: 120_000 },
  );
  if (result.code !== 0) {
    throw new Error(`formatting Kafka storage in ${paths.dataDir} failed (exit ${result.code}):\n${result.output}`);
  }
}

async function brokerAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "engines-readiness",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Downloads Kafka on first use, formats the KRaft storage once, starts the broker and resolves
 * when an admin client can list topics on it.
 */
export async function startKafka(options: KafkaOptions): Promise<KafkaHandle> {
  const log = options.log ?? stderrLog;
  await requireCommand(java);
  const fetched = await timed(log, `kafka ${KAFKA_VERSION} jars`, () => fetchArtifacts(`kafka-${KAFKA_VERSION}`, artifacts));
  const lib = libDir(fetched);

  const [freeListener, freeController] = await freePorts(2);
  const port = options.port ?? freeListener!;
  if (options.port !== undefined) await requirePortFree(port, "Kafka", localEnginePorts.kafka.envVar);
  const controllerPort = options.controllerPort ?? freeController!;
  const paths = layout(options.stateDir);
  for (const dir of [paths.home, paths.dataDir, paths.logDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.serverProperties, serverProperties(paths.dataDir, port, controllerPort));
  writeFileSync(paths.log4jProperties, log4jProperties(paths.logDir));
  await timed(log, "kafka storage format", () => formatStorage(lib, paths));

  const brokers = `${LOOPBACK}:${port}`;
  const heapMb = options.heapMb ?? 512;
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  let engine: EngineProcess | undefined;

  const launch = async (): Promise<void> => {
    engine = spawnEngine(
      "java",
      [
        `-Xmx${heapMb}m`,
        `-Xms${Math.min(heapMb, 256)}m`,
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        `-Dkafka.logs.dir=${paths.logDir}`,
        `-Dlog4j.configuration=file:${paths.log4jProperties}`,
        "-cp",
        join(lib, "*"),
        "kafka.Kafka",
        paths.serverProperties,
      ],
      { cwd: paths.home, logFile: join(paths.logDir, "stdout.log") },
    );
    const started = engine;
    await timed(log, `kafka ready on ${brokers}`, () =>
      waitUntilReady(started, () => brokerAnswers(brokers), { what: "Kafka", timeoutMs: readyTimeoutMs }),
    );
  };

  const stop = async (): Promise<void> => {
    const current = engine;
    if (!current?.running) return;
    await timed(log, "kafka stopped", async () => {
      await current.stop(20_000);
      await waitForPortFree(port, 10_000);
    });
  };
  const start = async (): Promise<void> => {
    if (engine?.running) return;
    await waitForPortFree(port, 10_000);
    await launch();
  };

  await launch();

  return {
    brokers,
    port,
    logDir: paths.logDir,
    get running() {
      return engine?.running ?? false;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}
