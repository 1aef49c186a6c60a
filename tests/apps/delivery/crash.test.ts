// Crash safety: the processor and the dispatcher run as child processes (their real main.ts)
// on a broker of this test's own. In the middle of a stream of 1,000 events the processor is
// killed with SIGKILL and restarted, then the dispatcher. Every event must reach the receiver;
// duplicates are allowed (at-least-once) but must carry the same webhook-id.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import type { Admin, Kafka, Producer } from "kafkajs";
import { Kafka as KafkaClient, logLevel } from "kafkajs";
import { dynamoClient, dynamoEndpoint, startPrivateKafka, uniquePrefix, type PrivateKafka } from "../../support/engines";
import { freePort } from "../../../local/engines/ports";
import { createIngressAndEgress, eventually, ingressMessage, ingressRecord, putSubscription, Receiver, Tables } from "./fixtures";
import { ingressTopic } from "../../../model/topics";

const root = resolve(__dirname, "..", "..", "..");
const total = 1000;

interface Service {
  name: string;
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

async function startService(name: "processor" | "dispatcher", env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", `apps/${name}/main.ts`], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), LISTEN_HOST: "127.0.0.1", LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  await eventually(
    `${name} ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    60_000,
    200,
  );
  return { name, child, port, exited };
}

async function kill(service: Service): Promise<void> {
  service.child.kill("SIGKILL");
  await service.exited;
}

async function terminate(service: Service | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill("SIGTERM");
  const timer = setTimeout(() => service.child.kill("SIGKILL"), 20_000);
  await service.exited;
  clearTimeout(timer);
}

function gate(): { passed: Promise<void>; open: () => void } {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open };
}

describe("crash safety of processor and dispatcher", { timeout: 240_000 }, () => {
  const prefix = uniquePrefix("crash");
  const domain = prefix.slice(0, -1);
  const type = { domain, event: "created" };
  let broker: PrivateKafka;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let tables: Tables;
  let receiver: Receiver;
  let env: Record<string, string>;
  let processor: Service | undefined;
  let dispatcher: Service | undefined;

  before(async () => {
    [broker, tables, receiver] = await Promise.all([startPrivateKafka(), Tables.create(dynamoClient(), prefix), Receiver.start()]);
    kafka = new KafkaClient({ clientId: "crash-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
    await producer.connect();
    await createIngressAndEgress(admin, type, ["p_crash"]);
    await putSubscription(tables, { partnerId: "p_crash", eventType: `${domain}.created`, url: receiver.url });
    env = {
      KAFKA_INGRESS_BROKERS: broker.brokers,
      KAFKA_EGRESS_BROKERS: broker.brokers,
      DYNAMODB_ENDPOINT: dynamoEndpoint(),
      TABLE_PREFIX: prefix,
      KAFKA_SESSION_TIMEOUT_MS: "6000",
      KAFKA_TOPIC_PARTITIONS: "3",
      KAFKA_REPLICATION_FACTOR: "1",
      TOPIC_REFRESH_MS: "1000",
      DELIVERY_ALLOW_PRIVATE_TARGETS: "true",
      DELIVERY_RETRY_SCHEDULE: "1s,2s,4s",
      DELIVERY_TIMEOUT_MS: "2000",
      AWS_REGION: "us-east-1",
    };
    processor = await startService("processor", env);
    dispatcher = await startService("dispatcher", env);
  });

  after(async () => {
    await terminate(processor);
    await terminate(dispatcher);
    await producer?.disconnect();
    await admin?.disconnect();
    await receiver?.close();
    await tables?.drop();
    tables?.client.destroy();
    await broker?.dispose();
  });

  it("delivers every one of 1,000 events across SIGKILLs of the processor and then the dispatcher; duplicates keep their webhook-id", async () => {
    const eventIds: string[] = [];
    // A stream of 1,000 events, about 200/s. The processor is killed once 300 events are sent and
    // the dispatcher once 600 are, while the stream runs; two gates (400, 700) hold the stream
    // back if a slow machine has not got there yet, so both kills always land mid-stream.
    const processorKilled = gate();
    const dispatcherKilled = gate();
    const stream = (async () => {
      for (let i = 0; i < total; i += 25) {
        if (i === 400) await processorKilled.passed;
        if (i === 700) await dispatcherKilled.passed;
        const batch = Array.from({ length: Math.min(25, total - i) }, (_, j) => ingressRecord(`${domain}.created`, { seq: i + j }));
        eventIds.push(...batch.map((r) => r.eventId));
        await producer.send({ topic: ingressTopic(type), acks: -1, messages: batch.map((r, j) => ingressMessage(r, `source-${(i + j) % 7}`)) });
        await new Promise((ok) => setTimeout(ok, 100));
      }
    })();
    const seqOf = (body: string) => (JSON.parse(body) as { data: { seq: number } }).data.seq;
    const distinct = () => new Set(receiver.requests.map((q) => seqOf(q.body))).size;

    await eventually("300 events sent and the first deliveries", () => (eventIds.length >= 300 && distinct() >= 50 ? true : undefined), 60_000, 20);
    await kill(processor!);
    const processorKilledAt = eventIds.length;
    processorKilled.open();
    processor = await startService("processor", env);
    await eventually("600 events sent and deliveries after the processor restart", () => (eventIds.length >= 600 && distinct() >= processorKilledAt + 50 ? true : undefined), 90_000, 20);
    await kill(dispatcher!);
    const dispatcherKilledAt = eventIds.length;
    dispatcherKilled.open();
    dispatcher = await startService("dispatcher", env);
    await stream;
    process.stdout.write(`# crash test: processor killed after ${processorKilledAt} events were sent, dispatcher after ${dispatcherKilledAt}\n`);
    assert.ok(dispatcherKilledAt < total, "the dispatcher was killed while the stream was still running");

    await eventually(`all ${total} events delivered`, () => (distinct() === total ? true : undefined), 120_000, 250);

    const byEvent = new Map<number, Set<string>>();
    for (const q of receiver.requests) {
      const seq = seqOf(q.body);
      if (!byEvent.has(seq)) byEvent.set(seq, new Set());
      byEvent.get(seq)!.add(String(q.headers["webhook-id"]));
    }
    const duplicates = receiver.requests.length - byEvent.size;
    process.stdout.write(`# crash test: ${total} events, ${receiver.requests.length} requests, ${byEvent.size} distinct events, ${duplicates} duplicates\n`);
    assert.equal(byEvent.size, total);
    assert.equal(eventIds.length, total);
    for (const [seq, ids] of byEvent) assert.equal(ids.size, 1, `event ${seq} was delivered with ${ids.size} different webhook-ids`);
    assert.ok(receiver.requests.every((q) => q.headers["webhook-signature"]?.toString().startsWith("v1,")));
  });

  it("exposes delivery and processing metrics on /metrics", async () => {
    const dispatcherMetrics = await (await fetch(`http://127.0.0.1:${dispatcher!.port}/metrics`)).text();
    assert.match(dispatcherMetrics, /^webhook_delivery_attempts_total\{[^}]*result="success"[^}]*\} [1-9]/m);
    for (const name of ["webhook_delivery_retries_total", "webhook_delivery_dlq_total", "webhook_circuit_state", "webhook_delivery_latency_seconds_bucket", "webhook_delivery_attempt_duration_seconds_bucket"]) {
      assert.match(dispatcherMetrics, new RegExp(`^# (HELP|TYPE) ${name.replace(/_bucket$/, "")} `, "m"), name);
    }
    const processorMetrics = await (await fetch(`http://127.0.0.1:${processor!.port}/metrics`)).text();
    assert.match(processorMetrics, /^processor_events_total\{[^}]*event_type="[^"]+"[^}]*\} [1-9]/m);
  });

  it("stops both services cleanly on SIGTERM (exit code 0)", async () => {
    for (const service of [processor!, dispatcher!]) {
      service.child.kill("SIGTERM");
      const code = await Promise.race([service.exited, new Promise<string>((ok) => setTimeout(() => ok("still running after 25 s"), 25_000))]);
      assert.equal(code, 0, `${service.name} exit`);
    }
  });
});
