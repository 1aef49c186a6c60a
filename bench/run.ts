// `npm run bench`: starts the platform as `npm start` does, then measures gateway ingest
// against a bare HTTP baseline, the dispatcher against a raw undici loop, and the whole path
// end to end at fixed offered rates and on a ramp to saturation, with the CPU and memory of
// every process and CPU profiles of the services. Writes bench/results/latest.json and the
// generated section of BENCHMARKS.md. See BENCHMARKS.md for the method.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { loadavg } from "node:os";
import { Kafka, logLevel } from "kafkajs";
import { readDispatcherEnv } from "../apps/dispatcher/config";
import { ConfigError } from "../apps/shared/config";
import { benchPlan, parseBenchArgs, type BenchArgs } from "./args";
import { startCpuProfile, type ProfileSummary } from "./cpu-profile";
import { benchDispatch } from "./dispatch";
import { dynamoDbCeiling, kafkaCeiling } from "./engine-ceiling";
import { endToEndStep, rampToSaturation, type EndToEndOptions, type EndToEndStep, type EndToEndTarget } from "./end-to-end";
import { benchIngest } from "./ingest";
import { machineInfo } from "./machine";
import { benchCloudEvent, benchDomain, benchEvents, benchEventType } from "./payload";
import { egressTopic } from "../model/topics";
import { startBenchPlatform, type BenchPlatform } from "./platform";
import { benchProcesses } from "./proc-usage";
import { BenchReceiver } from "./receiver";
import { dynamoDbInMemory, dynamoDbOnDisk, renderMarkdown, replaceSection, targetChecks, type BenchResult } from "./report";
import { AdminClient, type Subscription } from "./tenant";
import autocannon from "autocannon";

const repoRoot = join(__dirname, "..");
const resultsDir = join(__dirname, "results");
const benchmarksFile = join(repoRoot, "BENCHMARKS.md");
const serviceLogLevel = "warn";

const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function pidOf(role: string): number {
  const found = benchProcesses().find((p) => p.role === role);
  if (!found) throw new Error(`no ${role} process found under the bench`);
  return found.pid;
}

/** Starts the platform; retries once, since a cold broker can refuse the first topic creations. */
async function startPlatform(args: BenchArgs, onFatal: (reason: string) => void): Promise<BenchPlatform> {
  const options = { logFile: join(resultsDir, `services-${args.dynamodb}.log`), logLevel: serviceLogLevel, dynamodb: args.dynamodb, progress: (l: string) => log(`platform: ${l}`), onFatal };
  try {
    return await startBenchPlatform(options);
  } catch (err) {
    log(`platform did not start (${(err as Error).message.split("\n")[0]}); trying once more`);
    return startBenchPlatform(options);
  }
}

class Profiler {
  readonly summaries: Record<string, ProfileSummary> = {};
  constructor(
    private readonly enabled: boolean,
    private readonly dir: string,
  ) {}

  /** Profiles the process of `role` from now until the returned function is called. */
  async start(role: string, name: string): Promise<() => Promise<void>> {
    if (!this.enabled) return async () => undefined;
    try {
      const running = await startCpuProfile(pidOf(role));
      return async () => {
        const file = join(this.dir, `${name}.cpuprofile`);
        try {
          const summary = await running.stop(file);
          this.summaries[name] = { ...summary, file: relative(repoRoot, file) };
        } catch (err) {
          log(`profile ${name}: ${(err as Error).message}`);
        }
      };
    } catch (err) {
      log(`profile ${name} not taken: ${(err as Error).message}`);
      return async () => undefined;
    }
  }
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const plan = benchPlan(args.quick);
  // The run as `npm start` runs the platform is "latest"; the in-memory DynamoDB Local comparison keeps its own files and section.
  const variant = args.dynamodb === "disk" ? "latest" : "dynamodb-memory";
  const profilesDir = join(resultsDir, "profiles", variant);
  mkdirSync(profilesDir, { recursive: true });
  const machine = machineInfo();
  log(`load average ${machine.loadAverage.join(" / ")} on ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.java}`);
  if (machine.loadAverage[0] > machine.cores * 0.5) log("the machine is already busy: every number below is noisy (see 'other' CPU in the results)");
  const startedAt = new Date().toISOString();

  let fatal: string | undefined;
  const bench = await startPlatform(args, (reason) => {
    fatal = reason;
    log(`FATAL: ${reason}`);
  });
  const { platform } = bench;
  const kafka = new Kafka({ clientId: "webhooks-bench", brokers: [platform.kafkaBrokers], logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const receiver = await BenchReceiver.start();
  const profiler = new Profiler(args.profile, profilesDir);
  const result: BenchResult = {
    startedAt,
    finishedAt: "",
    mode: args.quick ? "quick" : "full",
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    machine,
    loadAverageAtEnd: [0, 0, 0],
    settings: {
      serviceLogLevel,
      dynamodb: args.dynamodb === "disk" ? dynamoDbOnDisk : dynamoDbInMemory,
      retrySchedule: bench.retryTiers.join(","),
    },
    ceilings: [],
    ingest: [],
    endToEnd: { fixed: [], ramp: [] },
    profiles: profiler.summaries,
    ledgersBalanced: true,
    targets: [],
  };

  try {
    await kafkaAdmin.connect();
    await producer.connect();
    const admin = new AdminClient(platform.urls.admin, bench.adminToken);
    const topics = {
      ingest: await admin.registerSchema(benchEvents.ingest),
      dispatch: await admin.registerSchema(benchEvents.dispatch),
      fanout1: await admin.registerSchema(benchEvents.fanout1),
      fanout3: await admin.registerSchema(benchEvents.fanout3),
    };
    const producerKey = await admin.createProducer();
    const subscribe = async (partnerId: string, event: string, endpoint: string): Promise<Subscription> => {
      const s = await admin.subscribe(partnerId, benchEventType(event), receiver.url(endpoint));
      receiver.setSecret(endpoint, s.secret);
      return s;
    };
    const dispatchSub = await subscribe("bench-d", benchEvents.dispatch, "dispatch");
    const fan1: EndToEndTarget = { event: benchEvents.fanout1, subscriptions: [await subscribe("bench-f1", benchEvents.fanout1, "f1")], endpoints: ["f1"] };
    const fan3: EndToEndTarget = { event: benchEvents.fanout3, subscriptions: [], endpoints: ["f3a", "f3b", "f3c"] };
    for (const e of fan3.endpoints) fan3.subscriptions.push(await subscribe(`bench-${e}`, benchEvents.fanout3, e));
    const deliveryConcurrency = readDispatcherEnv({ KAFKA_EGRESS_BROKERS: platform.kafkaBrokers }).DELIVERY_CONCURRENCY;
    const dispatchTopic = egressTopic(dispatchSub.partnerId, { domain: benchDomain, event: benchEvents.dispatch });
    const [egressMeta] = (await kafkaAdmin.fetchTopicMetadata({ topics: [dispatchTopic] })).topics;
    const partitions = egressMeta?.partitions.length ?? 1;
    Object.assign(result.settings, { egressPartitions: partitions, deliveryConcurrency, ingestTopic: topics.ingest });

    // Warm-up of the whole path, not reported: the processor and dispatcher pick up the new
    // topics, and the JIT compilers of Kafka, DynamoDB Local (its C2 thread takes most of a
    // core for the first seconds of a new kind of write) and Node finish before anything is measured.
    const e2e: EndToEndOptions = { gatewayUrl: platform.urls.gateway, producerKey, kafkaAdmin, receiver, retryTiers: bench.retryTiers, maxInFlight: 256, log };
    for (const [target, rate, seconds] of [[fan1, 10, 2], [fan3, 10, 2], [fan3, plan.warmUp.perSecond, plan.warmUp.seconds]] as const) {
      const warm = await endToEndStep(e2e, target, rate, seconds, 120_000, `warm-up-${target.event}-${rate}`);
      if (!warm.ledger.balanced || warm.ledger.delivered < warm.ledger.published) throw new Error(`warm-up of ${target.event} at ${rate}/s did not deliver everything within 120 s`);
    }

    if (args.only.includes("engines")) {
      log("phase 0: engine ceilings");
      for (const concurrency of [1, 16]) result.ceilings.push(await dynamoDbCeiling(platform.dynamodbEndpoint, plan.engineSeconds, concurrency));
      for (const concurrency of [1, 4]) result.ceilings.push(await dynamoDbCeiling(platform.dynamodbEndpoint, plan.engineSeconds, concurrency, 50));
      result.ceilings.push(await kafkaCeiling(kafka, kafkaAdmin, plan.engineSeconds, 16));
      result.ceilings.push(await kafkaCeiling(kafka, kafkaAdmin, plan.engineSeconds, 1, 100));
      for (const c of result.ceilings) {
        log(`${c.what}: ${c.perSecond}/s at concurrency ${c.concurrency}, p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms; engine CPU ${c.engineCpuPercent}%, busiest thread ${c.busiestThread?.name} ${c.busiestThread?.cpuPercent}%`);
      }
    }

    if (args.only.includes("ingest")) {
      log("phase 1: gateway ingest vs a bare HTTP server");
      result.ingest = await benchIngest({ kafkaBrokers: platform.kafkaBrokers, gatewayUrl: platform.urls.gateway, producerKey, topic: topics.ingest, kafkaAdmin, connections: plan.ingestConnections, secondsPerRun: plan.ingestSeconds, log });
      // A separate run under the profiler, so the measured runs carry no profiling overhead.
      const stop = await profiler.start("gateway", "gateway-ingest");
      await autocannon({
        url: `${platform.urls.gateway}/v1/events`,
        method: "POST",
        connections: plan.ingestConnections.at(-1),
        duration: 5,
        headers: { authorization: `Bearer ${producerKey}`, "content-type": "application/cloudevents+json" },
        body: JSON.stringify(benchCloudEvent(benchEvents.ingest, "[<id>]", "urn:bench:profile")),
        idReplacement: true,
      });
      await stop();
    }

    if (args.only.includes("dispatch")) {
      log("phase 2: dispatcher vs a raw undici loop");
      result.dispatch = await benchDispatch({
        producer,
        kafkaAdmin,
        receiver,
        subscription: dispatchSub,
        endpoint: "dispatch",
        dispatcherPid: pidOf("dispatcher"),
        dispatcherMetricsUrl: `${platform.urls.dispatcher}/metrics`,
        backlog: plan.dispatchBacklog,
        concurrency: partitions * deliveryConcurrency,
        retryTiers: bench.retryTiers,
        drainTimeoutMs: 240_000,
        log,
        onDrain: () => profiler.start("dispatcher", "dispatcher-backlog"),
      });
    }

    if (args.only.includes("e2e")) {
      log("phase 3: end to end, open loop");
      const fixed: EndToEndStep[] = [];
      for (const [target, rates] of [[fan1, plan.fanOut1Rates], [fan3, plan.fanOut3Rates]] as const) {
        for (const rate of rates) {
          const profiling = target === fan3 && rate === rates[0];
          const stopProcessor = profiling ? await profiler.start("processor", `processor-fanout3-${rate}`) : undefined;
          fixed.push(await endToEndStep(e2e, target, rate, plan.stepSeconds, plan.drainTimeoutMs, `fanout${target.subscriptions.length}-${rate}`));
          await stopProcessor?.();
        }
      }
      result.endToEnd.fixed = fixed;
      log("phase 3: ramp to saturation (fan-out 1)");
      const ramp = await rampToSaturation(e2e, fan1, plan.ramp);
      result.endToEnd.ramp = ramp.steps;
      result.endToEnd.saturationPerSecond = ramp.saturationPerSecond;
    }
    if (fatal) throw new Error(`the platform failed during the bench: ${fatal}`);
  } finally {
    result.finishedAt = new Date().toISOString();
    result.loadAverageAtEnd = loadavg().map((v) => Math.round(v * 100) / 100) as [number, number, number];
    const ledgers = [result.dispatch?.ledger, ...result.endToEnd.fixed.map((s) => s.ledger), ...result.endToEnd.ramp.map((s) => s.ledger)].filter((l) => l !== undefined);
    result.ledgersBalanced = ledgers.every((l) => l.balanced) && result.ingest.every((c) => c.durable);
    result.targets = targetChecks(result);
    await receiver.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    log("stopping the platform");
    await bench.stop();
  }

  const jsonFile = join(resultsDir, `${variant}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderMarkdown(result);
  const document = existsSync(benchmarksFile) ? readFileSync(benchmarksFile, "utf8") : "# Benchmarks\n";
  writeFileSync(benchmarksFile, replaceSection(document, markdown, variant));
  log(`wrote ${relative(repoRoot, jsonFile)} and ${relative(repoRoot, benchmarksFile)}`);
  for (const t of result.targets) log(`target ${t.met ? "met" : "NOT met"}: ${t.target}: ${t.measured}`);
  log(result.ledgersBalanced ? "every ledger balances" : "A LEDGER DID NOT BALANCE");
  process.exit(result.ledgersBalanced ? 0 : 1);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
