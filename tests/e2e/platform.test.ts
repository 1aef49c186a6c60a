// End to end: the local platform started exactly as `npm start` starts it (its own Kafka and
// DynamoDB Local, on free ports, state in a temporary folder), driven only through the HTTP
// APIs, every webhook verified with the `standardwebhooks` library, then stopped with a
// Ctrl-C to its process group, leaving no process behind and every port free.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { freePorts, isPortFree } from "../../local/engines/ports";
import { readyMarker } from "../../local/banner";

const repoRoot = resolve(__dirname, "..", "..");
const adminToken = "e2e-admin-token-0123456789";

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A partner's endpoint: records every request and answers with the status `respond` picks. */
async function startReceiver(respond: () => number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        headers: {
          "webhook-id": String(req.headers["webhook-id"]),
          "webhook-timestamp": String(req.headers["webhook-timestamp"]),
          "webhook-signature": String(req.headers["webhook-signature"]),
        },
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(respond()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every descendant of a process, found through /proc (the services run in their own process groups). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) found.push(child), walk(child);
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const portVariables = ["GATEWAY_PORT", "ADMIN_PORT", "PROCESSOR_PORT", "DISPATCHER_PORT", "KAFKA_PORT", "DYNAMODB_PORT", "RECEIVER_PORT"] as const;

interface Launched {
  process: ChildProcess;
  ports: Record<string, number>;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `local/start.ts` as `npm start` runs it, on free ports, in its own process group (so a Ctrl-C can reach the whole group), and waits for the banner. */
async function launchPlatform(stateDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Launched> {
  const free = await freePorts(portVariables.length);
  const ports: Record<string, number> = Object.fromEntries(portVariables.map((name, i) => [name, free[i]!]));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOCAL_STATE_DIR: stateDir,
    ADMIN_TOKEN: adminToken,
    ...extraEnv,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "local/start.ts"], { cwd: repoRoot, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await until("the platform banner", 300_000, () => {
    if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}) before it was ready:\n${output}`);
    return output.includes(readyMarker) ? true : undefined;
  });
  return { process: child, ports, output: () => output, exited };
}

function killGroup(launched: Launched | undefined): void {
  if (launched && launched.process.exitCode === null && launched.process.pid) process.kill(-launched.process.pid, "SIGKILL");
}

async function assertNothingLeft(children: number[], ports: Record<string, number>): Promise<void> {
  await until("every child of the platform to exit", 20_000, () => (children.every((c) => !alive(c)) ? true : undefined));
  for (const [name, port] of Object.entries(ports)) assert.ok(await isPortFree(port), `${name} ${port} still in use`);
}

describe("local platform end to end", { timeout: 600_000 }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), "webhooks-e2e-"));
  let platform: Launched;
  let output = "";
  let gateway: string;
  let admin: string;

  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${admin}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    platform = await launchPlatform(stateDir, { DELIVERY_RETRY_SCHEDULE: "1s,2s" });
    gateway = `http://127.0.0.1:${platform.ports.GATEWAY_PORT}`;
    admin = `http://127.0.0.1:${platform.ports.ADMIN_PORT}`;
  });

  after(() => {
    killGroup(platform);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("prints a banner whose curl line gives a verified delivery in the receiver log", async () => {
    output = platform.output();
    const curl = output.slice(output.indexOf("curl -sS"), output.indexOf("Ctrl-C stops everything")).trim();
    assert.match(curl, /^curl -sS -X POST http:\/\/127\.0\.0\.1:\d+\/v1\/events/);
    const { stdout } = await promisify(execFile)("bash", ["-c", curl]);
    const { eventId } = JSON.parse(stdout) as { eventId: string };
    assert.match(eventId, /^[0-9a-f-]{36}$/);
    await until("the receiver to log a verified webhook", 30_000, () => (/receiver\s+\| verified webhook msg_\S+ type=orders\.created/.test(platform.output()) ? true : undefined));
    assert.doesNotMatch(platform.output(), /REJECTED webhook/);
  });

  it("delivers single and batch events signed, retries a failing partner into the DLQ, and replays after it recovers", async () => {
    // A producer, a schema, and two partners: one healthy, one failing until told otherwise.
    const producer = await adminCall("POST", "/v1/producers", { domain: "e2e" });
    assert.equal(producer.status, 201);
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      required: ["n"],
      properties: { n: { type: "integer" } },
    };
    assert.equal((await adminCall("PUT", "/v1/schemas/e2e/tick", schema)).status, 201);

    let failing = true;
    const healthy = await startReceiver(() => 200);
    const flaky = await startReceiver(() => (failing ? 500 : 200));
    try {
      const subscribe = async (partner: string, url: string) => {
        const created = await adminCall("POST", `/v1/partners/${partner}/subscriptions`, { eventType: "e2e.tick", url });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.match(created.body.secret, /^whsec_/);
        assert.equal((await adminCall("POST", `/v1/partners/${partner}/subscriptions/${created.body.id}/approve`)).status, 200);
        return created.body as { id: string; secret: string };
      };
      const alpha = await subscribe("alpha", healthy.url);
      const beta = await subscribe("beta", flaky.url);

      const send = async (contentType: string, body: unknown) =>
        fetch(`${gateway}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${producer.body.apiKey}`, "content-type": contentType },
          body: JSON.stringify(body),
        });
      const event = (n: number) => ({ specversion: "1.0", id: `tick-${n}`, source: "urn:e2e", type: "e2e.tick", data: { n } });
      const single = await send("application/cloudevents+json", event(1));
      assert.equal(single.status, 202);
      const batch = await send("application/cloudevents-batch+json", [event(2), event(3)]);
      assert.equal(batch.status, 202);
      const batchIds = ((await batch.json()) as { events: { eventId: string }[] }).events.map((e) => e.eventId);
      const eventIds = [((await single.json()) as { eventId: string }).eventId, ...batchIds];
      assert.equal(new Set(eventIds).size, 3);

      // The healthy partner gets all three, each verifying with its secret.
      await until("three deliveries to the healthy partner", 60_000, () => (healthy.received.length >= 3 ? true : undefined));
      const alphaHook = new Webhook(alpha.secret);
      const numbers = healthy.received.map((r) => (alphaHook.verify(r.body, r.headers) as { type: string; data: { n: number } }).data.n).sort();
      assert.deepEqual(numbers, [1, 2, 3]);

      // The failing partner: 1 attempt + 2 retries (1s, 2s), then the DLQ and status failed.
      // Three events make 9 consecutive failures, under the circuit breaker's threshold of 10,
      // so every attempt reaches the receiver.
      for (const eventId of eventIds) {
        const status = await until(`delivery of ${eventId} to beta to fail`, 60_000, async () => {
          const res = await adminCall("GET", `/v1/events/${eventId}/deliveries`);
          const d = (res.body?.deliveries as { subscriptionId: string; status: string; attempts: unknown[] }[] | undefined)?.find((x) => x.subscriptionId === beta.id);
          return d?.status === "failed" ? d : undefined;
        });
        assert.equal(status.attempts.length, 3);
      }
      const betaHook = new Webhook(beta.secret);
      for (const r of flaky.received) betaHook.verify(r.body, r.headers);
      const idsPerEvent = new Map<string, number>();
      for (const r of flaky.received) idsPerEvent.set(r.headers["webhook-id"], (idsPerEvent.get(r.headers["webhook-id"]) ?? 0) + 1);
      assert.deepEqual([...idsPerEvent.values()], [3, 3, 3], "each event retried under one webhook-id");

      // The partner recovers; a replay of its DLQ delivers each event once more.
      failing = false;
      const before = flaky.received.length;
      const replay = await adminCall("POST", "/v1/dlq/replay", { subscriptionId: beta.id });
      assert.equal(replay.status, 202);
      assert.equal(replay.body.replayed, 3);
      await until("three replayed deliveries", 60_000, () => (flaky.received.length >= before + 3 ? true : undefined));
      const replayed = flaky.received.slice(before);
      assert.deepEqual(replayed.map((r) => (betaHook.verify(r.body, r.headers) as { data: { n: number } }).data.n).sort(), [1, 2, 3]);
      for (const eventId of eventIds) {
        await until(`delivery of ${eventId} to beta to succeed after the replay`, 30_000, async () => {
          const res = await adminCall("GET", `/v1/events/${eventId}/deliveries`);
          const d = (res.body?.deliveries as { subscriptionId: string; status: string }[] | undefined)?.find((x) => x.subscriptionId === beta.id);
          return d?.status === "succeeded" ? true : undefined;
        });
      }
    } finally {
      await healthy.close();
      await flaky.close();
    }
  });

  it("stops on Ctrl-C with exit code 0, leaving no process and no port behind", async () => {
    const pid = platform.process.pid as number;
    const children = descendants(pid);
    assert.ok(children.length >= 6, `expected the engines and four services under the runner, found ${children.length}`);
    process.kill(-pid, "SIGINT");
    assert.equal(await platform.exited, 0, platform.output().slice(-2000));
    await assertNothingLeft(children, platform.ports);
  });
});

describe("local platform when a service dies, and a second start", { timeout: 600_000 }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), "webhooks-e2e-restart-"));
  let first: Launched | undefined;
  let second: Launched | undefined;

  after(() => {
    killGroup(first);
    killGroup(second);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("stops the whole platform with exit code 1 when a service dies, naming it, and leaves nothing behind", async () => {
    first = await launchPlatform(stateDir);
    const children = descendants(first.process.pid as number);
    const dispatcher = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("apps/dispatcher/main.ts"));
    assert.ok(dispatcher, "the dispatcher runs under the platform");
    process.kill(dispatcher, "SIGKILL");
    assert.equal(await first.exited, 1, first.output().slice(-2000));
    assert.match(first.output(), /dispatcher exited unexpectedly \(signal SIGKILL\)/);
    await assertNothingLeft(children, first.ports);
  });

  it("starts again on the same state, finding the demo subscription of the first start", async () => {
    const subscriptionOf = (out: string) => /subscription (sub_\S+)/.exec(out)?.[1];
    second = await launchPlatform(stateDir);
    assert.ok(subscriptionOf(second.output()));
    assert.equal(subscriptionOf(second.output()), subscriptionOf(first!.output()));
    process.kill(-(second.process.pid as number), "SIGINT");
    assert.equal(await second.exited, 0);
  });
});
