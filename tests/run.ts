// `npm test` (after the type check): starts Apache Kafka 3.7, DynamoDB Local and a moto server
// once, on free loopback ports, runs the test files with node's test runner, stops the engines
// whatever happens, and ends with the line CI reads: `N passed, N failed`.
//
//   npm test                                   every tests/**/*.test.ts except tests/chaos/**
//   npm test -- tests/apps/gateway.test.ts     only these files, directories or globs (engines still started)
//   npm run test:chaos                         tests/chaos/** only
//   npm test -- --test-name-pattern=409        other --test-* flags go to node's runner
//
// Environment: TEST_CONCURRENCY (files run in parallel; node's default is cores - 1),
// TEST_TIMEOUT_MS (per test, default 120000). An engine whose TEST_* variable is already set
// (TEST_KAFKA_BROKERS, TEST_DYNAMODB_ENDPOINT, TEST_MOTO_ENDPOINT) is used, not started.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { startDynamoDb } from "../local/engines/dynamodb";
import { startKafka } from "../local/engines/kafka";
import { stderrLog, timed } from "../local/engines/log";
import { startMoto } from "../local/engines/moto";
import { freePorts } from "../local/engines/ports";
import { engineVariables } from "./support/engines";
import { countsFromTap, summaryLine } from "./support/tap-counts";

const root = resolve(__dirname, "..");
const DEFAULT_TIMEOUT_MS = 120_000;

interface RunRequest {
  readonly chaos: boolean;
  readonly files: string[];
  /** `--test-*` flags for node's runner. */
  readonly runnerFlags: string[];
}

function parseRequest(argv: readonly string[]): RunRequest {
  const files: string[] = [];
  const runnerFlags: string[] = [];
  let chaos = false;
  for (const arg of argv) {
    if (arg === "--chaos") chaos = true;
    else if (arg.startsWith("--test-")) runnerFlags.push(arg);
    else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}: tests/run.ts takes test files, --chaos and node's --test-* flags`);
    } else files.push(arg);
  }
  return { chaos, files, runnerFlags };
}

/** A file, a directory (its `*.test.ts`, recursively) or a glob, relative to the repository. */
function expandArgument(arg: string): string[] {
  const path = resolve(arg);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) return [relative(root, path)];
    return globSync("**/*.test.ts", { cwd: path }).map((file) => relative(root, join(path, file)));
  }
  return globSync(arg, { cwd: root });
}

function testFiles(request: RunRequest): string[] {
  if (request.files.length > 0) {
    return request.files.flatMap((arg) => {
      const files = expandArgument(arg);
      if (files.length === 0) throw new Error(`${arg} matches no test file (give files, directories or globs)`);
      return files;
    });
  }
  const all = globSync("tests/**/*.test.ts", { cwd: root }).sort();
  const isChaos = (file: string) => file.startsWith(join("tests", "chaos") + "/");
  return all.filter((file) => (request.chaos ? isChaos(file) : !isChaos(file)));
}

function positiveInteger(variable: string): number | undefined {
  const raw = process.env[variable];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${variable}="${raw}": expected a positive integer`);
  return value;
}

interface RunningEngine {
  readonly name: string;
  /** What the tests get in the engine's variable: brokers or an endpoint URL. */
  readonly address: string;
  stop(): Promise<void>;
}

interface EngineSpec {
  readonly variable: string;
  /** `ports`: free and different from every other engine's, picked together up front. */
  start(stateDir: string, ports: number[]): Promise<RunningEngine>;
  readonly portsNeeded: number;
}

const engineSpecs: readonly EngineSpec[] = [
  {
    variable: engineVariables.kafkaBrokers,
    portsNeeded: 2,
    start: async (stateDir, [port, controllerPort]) => {
      const kafka = await startKafka({ stateDir, port: port!, controllerPort: controllerPort! });
      return { name: "kafka", address: kafka.brokers, stop: () => kafka.stop() };
    },
  },
  {
    variable: engineVariables.dynamoEndpoint,
    portsNeeded: 1,
    start: async (stateDir, [port]) => {
      const dynamo = await startDynamoDb({ stateDir, port: port! });
      return { name: "dynamodb-local", address: dynamo.endpoint, stop: () => dynamo.stop() };
    },
  },
  {
    variable: engineVariables.motoEndpoint,
    portsNeeded: 1,
    start: async (stateDir, [port]) => {
      const moto = await startMoto({ stateDir, port: port! });
      return { name: "moto", address: moto.endpoint, stop: () => moto.stop() };
    },
  },
];

/** Engines started so far, stopped on every way out. */
const running: RunningEngine[] = [];

/** Starts the engines in parallel (or takes the preset ones) and returns the variables for the tests. */
async function startEngines(stateDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  // One pick for all engines: ports picked one after another may repeat.
  const free = await freePorts(engineSpecs.reduce((n, spec) => n + spec.portsNeeded, 0));
  const portsOf = engineSpecs.map((spec) => free.splice(0, spec.portsNeeded));
  const results = await Promise.allSettled(
    engineSpecs.map(async (spec, i) => {
      const preset = process.env[spec.variable];
      if (preset) {
        stderrLog(`using ${spec.variable}=${preset}`);
        env[spec.variable] = preset;
        return;
      }
      const engine = await spec.start(stateDir, portsOf[i]!);
      running.push(engine);
      env[spec.variable] = engine.address;
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    throw new Error(failures.map((f) => (f instanceof Error ? f.message : String(f))).join("\n\n"));
  }
  return env;
}

async function stopEngines(): Promise<void> {
  const engines = running.splice(0);
  const results = await Promise.allSettled(engines.map((engine) => engine.stop()));
  results.forEach((result, i) => {
    if (result.status === "rejected") stderrLog(`stopping ${engines[i]!.name} failed: ${String(result.reason)}`);
  });
}

function runNodeTests(files: string[], runnerFlags: string[], tapFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const concurrency = positiveInteger("TEST_CONCURRENCY");
  const timeoutMs = positiveInteger("TEST_TIMEOUT_MS") ?? DEFAULT_TIMEOUT_MS;
  const args = [
    // kafkajs 2.2.4 arms a one-shot timer with a negative delay on every new connection
    // (requestQueue.scheduleCheckPendingRequests); Node 24 warns about each. Benign, and noise.
    "--disable-warning=TimeoutNegativeWarning",
    "--import",
    "tsx",
    "--test",
    ...(concurrency ? [`--test-concurrency=${concurrency}`] : []),
    `--test-timeout=${timeoutMs}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tapFile}`,
    ...runnerFlags,
    ...files,
  ];
  return spawn(process.execPath, args, { cwd: root, env, stdio: "inherit" });
}

async function main(): Promise<number> {
  const request = parseRequest(process.argv.slice(2));
  const files = testFiles(request);
  if (files.length === 0) {
    stderrLog(request.chaos ? "no chaos tests found under tests/chaos/" : "no test files found");
    console.log(summaryLine({ passed: 0, failed: 0, skipped: 0 }));
    return request.chaos ? 0 : 1;
  }

  const stateDir = mkdtempSync(join(tmpdir(), "webhooks-test-"));
  const tapFile = join(stateDir, "results.tap");
  let child: ChildProcess | undefined;
  let interruptedBy: NodeJS.Signals | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) return;
    interruptedBy = signal;
    stderrLog(`${signal}: stopping the tests and the engines`);
    if (child && child.exitCode === null) child.kill(signal);
    else void stopEngines().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let exitCode = 1;
  let summary: string | undefined;
  try {
    const engineEnv = await timed(stderrLog, "engines ready", () => startEngines(stateDir));
    if (interruptedBy) return 130;
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...engineEnv };
    // Set when this harness itself runs inside a node test (its own tests do that); left in,
    // it would make the nested runner talk the parent's wire protocol instead of reporting.
    delete childEnv.NODE_TEST_CONTEXT;
    const testProcess = runNodeTests(files, request.runnerFlags, tapFile, childEnv);
    child = testProcess;
    const code = await new Promise<number>((resolveCode) => {
      testProcess.once("error", (error) => {
        stderrLog(`could not start node's test runner: ${error.message}`);
        resolveCode(1);
      });
      testProcess.once("exit", (code, signal) => resolveCode(code ?? (signal === "SIGINT" ? 130 : 1)));
    });
    const counts = existsSync(tapFile) ? countsFromTap(readFileSync(tapFile, "utf8")) : undefined;
    if (counts) {
      summary = summaryLine(counts);
      exitCode = code !== 0 ? code : counts.failed > 0 ? 1 : 0;
    } else {
      stderrLog(`node's test runner ended (exit ${code}) without a summary; see the output above`);
      exitCode = code !== 0 ? code : 1;
    }
  } catch (error) {
    stderrLog(error instanceof Error ? error.message : String(error));
    exitCode = 1;
  } finally {
    await stopEngines();
    if (exitCode === 0) rmSync(stateDir, { recursive: true, force: true });
    else stderrLog(`engine logs kept in ${stateDir}`);
  }
  // Last, alone on its line: CI reads it.
  if (summary) console.log(`\n${summary}`);
  return interruptedBy ? (interruptedBy === "SIGINT" ? 130 : 143) : exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    stderrLog(error instanceof Error ? error.message : String(error));
    void stopEngines().finally(() => process.exit(1));
  },
);
