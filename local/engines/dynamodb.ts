// DynamoDB Local from Maven Central, on the JVM. In memory for tests, or on disk under the
// state dir for `npm start`.
//
// DynamoDB Local has no option to choose the address it binds (see `-help`): it listens on
// every interface. Everything here connects to it through 127.0.0.1 only.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { localEnginePorts } from "../../model/ports";
import { fetchArtifacts, libDir, type MavenArtifact } from "./maven";
import { stderrLog, timed, type EngineLog } from "./log";
import { LOOPBACK, freePort, requirePortFree } from "./ports";
import { java, requireCommand } from "./prerequisites";
import { spawnEngine, stopEngine, waitUntilReady } from "./process";

export const DYNAMODB_LOCAL_VERSION = "2.6.1";

// The pom of DynamoDBLocal lists sqlite4java's native libraries for every platform as
// dependencies of type so/dll/dylib, so copy-dependencies puts the Linux one beside the jars
// (libsqlite4java-linux-amd64-<version>.so, the name sqlite4java looks for first).
const artifacts: readonly MavenArtifact[] = [
  { groupId: "com.amazonaws", artifactId: "DynamoDBLocal", version: DYNAMODB_LOCAL_VERSION },
];

/** Credentials and region for DynamoDB Local: it checks neither, but the SDK needs some. */
export const localAwsCredentials = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const localAwsRegion = "us-east-1";

export interface DynamoDbOptions {
  /** Logs (and, unless in memory, the database) go under `<stateDir>/dynamodb`. */
  readonly stateDir: string;
  /** A free port when absent (tests). `npm start` passes 8000. */
  readonly port?: number;
  /** Keep the data in memory only (tests); otherwise in `<stateDir>/dynamodb/data`. Default true. */
  readonly inMemory?: boolean;
  readonly heapMb?: number;
  readonly readyTimeoutMs?: number;
  readonly log?: EngineLog;
}

export interface DynamoDbHandle {
  /** `http://127.0.0.1:<port>`, for DYNAMODB_ENDPOINT. */
  readonly endpoint: string;
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export const defaultDynamoDbPort = localEnginePorts.dynamodb.port;

async function answersListTables(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: localAwsRegion,
    credentials: localAwsCredentials,
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } finally {
    client.destroy();
  }
}

export async function startDynamoDb(options: DynamoDbOptions): Promise<DynamoDbHandle> {
  const log = options.log ?? stderrLog;
  await requireCommand(java);
  const fetched = await timed(log, `dynamodb-local ${DYNAMODB_LOCAL_VERSION} jars`, () =>
    fetchArtifacts(`dynamodb-local-${DYNAMODB_LOCAL_VERSION}`, artifacts),
  );
  const lib = libDir(fetched);

  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await requirePortFree(port, "DynamoDB Local", localEnginePorts.dynamodb.envVar);
  const home = join(options.stateDir, "dynamodb");
  const dataDir = join(home, "data");
  mkdirSync(home, { recursive: true });
  let storage = ["-inMemory"];
  if (options.inMemory === false) {
    mkdirSync(dataDir, { recursive: true });
    storage = ["-dbPath", dataDir];
  }

  const engine = spawnEngine(
    "java",
    [
      `-Xmx${options.heapMb ?? 256}m`,
      "-XX:+UseSerialGC",
      "-Djava.awt.headless=true",
      `-Djava.library.path=${lib}`,
      "-cp",
      join(lib, "*"),
      "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
      ...storage,
      // One database for every access key and region: services and tests may be configured
      // with different dummy credentials and must still see the same tables.
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { cwd: home, logFile: join(home, "dynamodb.log") },
  );
  const endpoint = `http://${LOOPBACK}:${port}`;
  await timed(log, `dynamodb-local ready on ${endpoint}`, () =>
    waitUntilReady(engine, () => answersListTables(endpoint), {
      what: "DynamoDB Local",
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    }),
  );

  return {
    endpoint,
    port,
    logFile: engine.logFile,
    stop: () => stopEngine(engine, port, 10_000, log, "dynamodb-local stopped"),
  };
}
