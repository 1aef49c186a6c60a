// The platform under test, started exactly as `npm start` starts it (local/platform.ts), on
// free loopback ports with its state in a temporary folder, so a bench never collides with a
// developer's `npm start` or with another bench. Service logs go to a file: piping every
// line through the bench process would load the load generator.

import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDynamoDb, type DynamoDbHandle } from "../local/engines/dynamodb";
import { freePorts } from "../local/engines/ports";
import { startLocalPlatform, type LocalPlatform } from "../local/platform";
import { readLocalSettings } from "../local/settings";
import { parseRetrySchedule } from "../apps/dispatcher/schedule";

export interface BenchPlatform {
  readonly platform: LocalPlatform;
  readonly adminToken: string;
  readonly logFile: string;
  /** Labels of the dispatcher's retry tiers (wh.retry.{label}) as the platform configured them. */
  readonly retryTiers: string[];
  stop(): Promise<void>;
}

export interface BenchPlatformOptions {
  /** Where the services' log lines are written. */
  logFile: string;
  /** The services' pino level. `warn` keeps the per-event `info` lines out of the measurement. */
  logLevel: string;
  /** Progress lines of the start-up (engines, tables, services). */
  progress: (line: string) => void;
  onFatal: (reason: string) => void;
  /**
   * `disk`: DynamoDB Local as `npm start` runs it (SQLite files). `memory`: the bench starts
   * DynamoDB Local with -inMemory itself and hands it to the platform through
   * DYNAMODB_ENDPOINT, to show how much of the cost is the local engine's storage.
   */
  dynamodb: "disk" | "memory";
}

const portVariables = ["GATEWAY_PORT", "ADMIN_PORT", "PROCESSOR_PORT", "DISPATCHER_PORT", "KAFKA_PORT", "DYNAMODB_PORT", "RECEIVER_PORT"] as const;

export async function startBenchPlatform(options: BenchPlatformOptions): Promise<BenchPlatform> {
  const stateDir = mkdtempSync(join(tmpdir(), "webhooks-bench-"));
  const env: NodeJS.ProcessEnv = { LOCAL_STATE_DIR: stateDir, LOG_LEVEL: options.logLevel };
  const free = await freePorts(portVariables.length);
  portVariables.forEach((name, i) => (env[name] = String(free[i])));
  let ownDynamo: DynamoDbHandle | undefined;
  if (options.dynamodb === "memory") {
    ownDynamo = await startDynamoDb({ stateDir, inMemory: true, log: options.progress });
    env.DYNAMODB_ENDPOINT = ownDynamo.endpoint;
  }
  const settings = readLocalSettings(env);
  const log: WriteStream = createWriteStream(options.logFile, { flags: "w" });
  const out = (line: string) => {
    log.write(`${line}\n`);
    // Start-up steps ("tables in 0.4s") are worth showing; service log lines are not.
    if (!line.includes("|")) options.progress(line);
  };
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform(settings, { out, onFatal: options.onFatal });
  } catch (err) {
    log.end();
    await ownDynamo?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  return {
    platform,
    adminToken: platform.adminToken,
    logFile: options.logFile,
    retryTiers: parseRetrySchedule(settings.DELIVERY_RETRY_SCHEDULE).tiers.map((t) => t.label),
    async stop() {
      await platform.stop();
      await ownDynamo?.stop();
      await new Promise<void>((resolve) => log.end(resolve));
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
