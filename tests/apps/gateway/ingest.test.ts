// The ingest core's failure order, as pure logic with in-memory collaborators: what is
// reserved is released whenever the events are not written, and nothing is answered 202.
// (The same paths on real engines: gateway.test.ts, idempotency.test.ts, broker-outage.test.ts.)

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { IngestService, type IngestDeps } from "../../../apps/gateway/ingest";
import type { IngestLedger, Reservation } from "../../../apps/gateway/idempotency";
import type { OutgoingRecord, RecordPublisher } from "../../../apps/gateway/publisher";
import { SchemaValidators } from "../../../apps/gateway/validators";
import { HttpProblem } from "../../../apps/shared/http/problem";
import type { SchemaRegistry, SchemaVersion } from "../../../apps/shared/registry/port";

const version: SchemaVersion = {
  domain: "orders",
  event: "created",
  version: 1,
  status: "ACTIVE",
  compatibility: "BACKWARD",
  containsSensitive: false,
  schema: { type: "object" },
  fingerprint: "f1",
  createdAt: "2026-01-01T00:00:00Z",
};

const registry: SchemaRegistry = {
  register: async () => assert.fail("not used"),
  getVersion: async (_d, _e, v) => (v === 1 ? version : undefined),
  latestActive: async (d, e) => (d === "orders" && e === "created" ? version : undefined),
  listVersions: async () => [version],
};

/** A ledger that records what it was asked and answers per CloudEvent id. */
function fakeLedger(answer: (id: string) => Promise<Reservation>) {
  const calls: string[] = [];
  const ledger = {
    reserve: async (_source: string, id: string) => {
      calls.push(`reserve ${id}`);
      return answer(id);
    },
    release: async (_source: string, id: string) => void calls.push(`release ${id}`),
    confirm: async (_source: string, id: string) => void calls.push(`confirm ${id}`),
  } as unknown as IngestLedger;
  return { ledger, calls };
}

function service(ledger: IngestLedger, publisher: RecordPublisher, publishTimeoutMs = 200): IngestService {
  const deps: IngestDeps = { validators: new SchemaValidators(registry), ledger, publisher, logger: pino({ level: "silent" }), publishTimeoutMs };
  return new IngestService(deps);
}

const ev = (id: string) => ({ specversion: "1.0", id, source: "/s", type: "orders.created", data: {} });
const producer = { producer_id: "prd_1", domain: "orders" };
const trace = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

async function expect503(work: Promise<unknown>): Promise<HttpProblem> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof HttpProblem, String(err));
    assert.equal(err.status, 503);
    assert.equal(err.headers["retry-after"] !== undefined, true);
    return err;
  }
  assert.fail("expected a 503, got an answer");
}

describe("ingest failure order", () => {
  it("releases the other reservations and answers 503 when one reservation fails (DynamoDB error)", async () => {
    const { ledger, calls } = fakeLedger(async (id) => {
      if (id === "b") throw new Error("ProvisionedThroughputExceeded");
      return { kind: "reserved" };
    });
    const published: OutgoingRecord[][] = [];
    await expect503(service(ledger, { publish: async (r) => void published.push(r) }).ingest(producer, [ev("a"), ev("b"), ev("c")], "batch", trace));
    assert.deepEqual(published, []);
    assert.deepEqual(calls.filter((c) => c.startsWith("release")).sort(), ["release a", "release c"]);
  });

  it("releases every reservation and answers 503 when the publish fails", async () => {
    const { ledger, calls } = fakeLedger(async () => ({ kind: "reserved" }));
    await expect503(service(ledger, { publish: async () => Promise.reject(new Error("KafkaJSNumberOfRetriesExceeded")) }).ingest(producer, [ev("a"), ev("b")], "batch", trace));
    assert.deepEqual(calls.filter((c) => !c.startsWith("reserve")).sort(), ["release a", "release b"]);
  });

  it("answers 503 within the publish timeout when the broker does not acknowledge, and releases", async () => {
    const { ledger, calls } = fakeLedger(async () => ({ kind: "reserved" }));
    const started = Date.now();
    const problem = await expect503(service(ledger, { publish: () => new Promise(() => undefined) }, 150).ingest(producer, [ev("a")], "single", trace));
    assert.ok(Date.now() - started < 1000);
    assert.match(problem.detail, /could not be written durably/);
    assert.deepEqual(calls, ["reserve a", "release a"]);
  });

  it("answers 503 when another request holds the same key, releasing its own reservations and publishing nothing", async () => {
    const { ledger, calls } = fakeLedger(async (id) => (id === "busy" ? { kind: "busy" } : { kind: "reserved" }));
    const published: OutgoingRecord[][] = [];
    await expect503(service(ledger, { publish: async (r) => void published.push(r) }).ingest(producer, [ev("a"), ev("busy")], "batch", trace));
    assert.deepEqual(published, []);
    assert.ok(calls.includes("release a"));
  });

  it("confirms after the publish (after the answer, awaited at shutdown) and publishes only the events that are not duplicates", async () => {
    const { ledger, calls } = fakeLedger(async (id) => (id === "seen" ? { kind: "duplicate", eventId: "11111111-1111-4111-8111-111111111111" } : { kind: "reserved" }));
    const published: OutgoingRecord[][] = [];
    const ingest = service(ledger, { publish: async (r) => void published.push(r) });
    const answers = await ingest.ingest(producer, [ev("seen"), ev("new")], "batch", trace);
    await ingest.confirmationsSettled();
    assert.deepEqual(answers[0], { eventId: "11111111-1111-4111-8111-111111111111", duplicate: true });
    assert.equal(published.length, 1);
    assert.equal(published[0]!.length, 1);
    assert.equal(published[0]![0]!.headers.ce_id, "new");
    assert.deepEqual(calls.filter((c) => c.startsWith("confirm")), ["confirm new"]);
  });

  it("answers once the record is written without waiting for the ledger confirmation, which shutdown can still await", async () => {
    let finishConfirm!: () => void;
    const confirmStarted: string[] = [];
    const ledger = {
      reserve: async () => ({ kind: "reserved" }),
      release: async () => undefined,
      confirm: (_source: string, id: string) => {
        confirmStarted.push(id);
        return new Promise<void>((resolve) => (finishConfirm = resolve));
      },
    } as unknown as IngestLedger;
    const ingest = service(ledger, { publish: async () => undefined });
    const answers = await ingest.ingest(producer, [ev("slow-confirm")], "single", trace);
    assert.equal(answers.length, 1);
    assert.deepEqual(confirmStarted, ["slow-confirm"], "the confirmation started after the write");
    let settled = false;
    const waiting = ingest.confirmationsSettled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, "shutdown waits while the confirmation runs");
    finishConfirm();
    await waiting;
    assert.equal(settled, true);
  });
});
