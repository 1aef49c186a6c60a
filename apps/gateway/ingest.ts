// The gateway's core: from parsed JSON to durably written ingress records. HTTP-free; it
// throws HttpProblem for what the producer must be told, and the route turns that into
// problem+json. A batch is checked as a whole before anything is reserved or published.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { ingressTopic, kafkaHeaders } from "../../model/topics";
import type { IngressRecord, ProducerApiKeyItem } from "../../model/records";
import { HttpProblem, problems, type FieldError } from "../shared/http/problem";
import { eventLogger } from "../shared/logging";
import { withTimeout } from "../shared/readiness";
import type { TraceHeaders } from "../shared/trace-context";
import { parseEnvelope, type ParsedEvent } from "./envelope";
import type { IngestLedger } from "./idempotency";
import type { OutgoingRecord, RecordPublisher } from "./publisher";
import type { ResolvedSchema, SchemaValidators } from "./validators";

export interface IngestDeps {
  validators: SchemaValidators;
  ledger: IngestLedger;
  publisher: RecordPublisher;
  logger: Logger;
  /** Bound on waiting for the broker's acknowledgement; past it the answer is 503, never 202. */
  publishTimeoutMs: number;
}

export interface Accepted {
  eventId: string;
  duplicate?: true;
}

export type IngestMode = "single" | "batch";

interface CheckedEvent {
  index: number;
  parsed: ParsedEvent;
  schema: ResolvedSchema;
}

/** Fault classes in the order a mixed batch reports them: the first present gives the status. */
const precedence = [
  { status: 400, kind: "invalid-cloudevent", detail: "not a valid CloudEvent 1.0" },
  { status: 403, kind: "forbidden-domain", detail: "the API key may not send events of this domain" },
  { status: 404, kind: "unknown-event-type", detail: "no ACTIVE schema for the event type (or the requested dataversion)" },
  { status: 422, kind: "schema-violation", detail: "the event data does not match its schema" },
] as const;

export class IngestService {
  /** Ledger confirmations still running after their 202 went out; shutdown waits for them. */
  private readonly confirming = new Set<Promise<void>>();

  constructor(private readonly deps: IngestDeps) {}

  /** Resolves when every confirmation started so far has finished (for graceful shutdown and tests). */
  async confirmationsSettled(): Promise<void> {
    await Promise.allSettled([...this.confirming]);
  }

  async ingest(producer: Pick<ProducerApiKeyItem, "producer_id" | "domain">, inputs: unknown[], mode: IngestMode, trace: TraceHeaders): Promise<Accepted[]> {
    let checked: CheckedEvent[];
    try {
      checked = await this.check(producer, inputs, mode);
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      this.deps.logger.warn({ err }, "schema lookup failed: answered 503");
      throw problems.unavailable("the schema registry did not answer; nothing was accepted, retry later", 2);
    }
    return this.write(checked, trace);
  }

  private async check(producer: Pick<ProducerApiKeyItem, "domain">, inputs: unknown[], mode: IngestMode): Promise<CheckedEvent[]> {
    const faults: FieldError[][] = precedence.map(() => []);
    const prefix = (i: number) => (mode === "batch" ? `/${i}` : "");
    const checked: CheckedEvent[] = [];

    await Promise.all(
      inputs.map(async (input, index) => {
        const envelope = parseEnvelope(input, prefix(index));
        if (!envelope.ok) {
          faults[0]!.push(...envelope.errors);
          return;
        }
        const { parsed } = envelope;
        if (parsed.eventType.domain !== producer.domain) {
          faults[1]!.push({ path: `${prefix(index)}/type`, message: `this API key sends events of domain "${producer.domain}" only, not "${parsed.eventType.domain}"` });
          return;
        }
        const resolution = await this.deps.validators.resolve(parsed.eventType, parsed.requestedVersion);
        if (!resolution.ok) {
          faults[2]!.push({ path: `${prefix(index)}/${parsed.requestedVersion === undefined ? "type" : "dataversion"}`, message: resolution.reason });
          return;
        }
        const violations = resolution.schema.validate(parsed.event.data);
        if (violations.length > 0) {
          faults[3]!.push(...violations.map((v) => ({ ...v, path: `${prefix(index)}${v.path}` })));
          return;
        }
        checked.push({ index, parsed, schema: resolution.schema });
      }),
    );

    const worst = faults.findIndex((f) => f.length > 0);
    if (worst >= 0) {
      const { status, kind, detail } = precedence[worst]!;
      const errors = faults.flat().sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
      const what = mode === "batch" ? `${detail}; nothing in the batch was published` : detail;
      throw new HttpProblem(status, kind, what, errors);
    }
    return checked.sort((a, b) => a.index - b.index);
  }

  private async write(events: CheckedEvent[], trace: TraceHeaders): Promise<Accepted[]> {
    const { ledger } = this.deps;
    // The same source + id twice in one batch is one event: the second is its duplicate.
    const firstByKey = new Map<string, number>();
    const results: Accepted[] = new Array(events.length);
    const owners: { slot: number; event: CheckedEvent; eventId: string }[] = [];
    events.forEach((e, slot) => {
      const key = JSON.stringify([e.parsed.event.source, e.parsed.event.id]);
      if (!firstByKey.has(key)) {
        firstByKey.set(key, slot);
        owners.push({ slot, event: e, eventId: randomUUID() });
      }
    });

    const reserved: typeof owners = [];
    try {
      // allSettled: when one reservation fails the others must still be known, to release them.
      const settled = await Promise.allSettled(owners.map((o) => ledger.reserve(o.event.parsed.event.source, o.event.parsed.event.id, o.eventId)));
      settled.forEach((outcome, i) => {
        const owner = owners[i]!;
        if (outcome.status !== "fulfilled") return;
        if (outcome.value.kind === "reserved") reserved.push(owner);
        else if (outcome.value.kind === "duplicate") results[owner.slot] = { eventId: outcome.value.eventId, duplicate: true };
      });
      const failed = settled.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (failed) throw failed.reason;
      if (settled.some((o) => o.status === "fulfilled" && o.value.kind === "busy")) {
        throw problems.unavailable("an event with the same source and id is being accepted by another request; retry shortly");
      }
      const receivedAt = new Date().toISOString();
      await withTimeout(
        this.deps.publisher.publish(reserved.map((o) => this.record(o.event, o.eventId, receivedAt, trace))),
        this.deps.publishTimeoutMs,
        `the broker did not acknowledge within ${this.deps.publishTimeoutMs} ms`,
      );
    } catch (err) {
      await this.releaseAll(reserved);
      if (err instanceof HttpProblem) throw err;
      this.deps.logger.warn({ err, events: reserved.map((o) => o.eventId) }, "events not written durably: answered 503");
      throw problems.unavailable("the event could not be written durably; nothing was accepted, retry later", 2);
    }

    for (const o of reserved) {
      results[o.slot] = { eventId: o.eventId };
      const log = eventLogger(this.deps.logger, o.eventId, { type: o.event.parsed.event.type, source: o.event.parsed.event.source });
      log.info({ schemaVersion: o.event.schema.version }, "event accepted");
      // The record is durable, so the 202 need not wait for this second ledger write: a repeat
      // arriving meanwhile waits on the pending reservation, and if the confirm fails the
      // reservation stays pending until its lease ends, as it would have before.
      const confirm = ledger
        .confirm(o.event.parsed.event.source, o.event.parsed.event.id, o.eventId)
        .catch((err: unknown) => log.warn({ err }, "idempotency confirm failed"))
        .finally(() => this.confirming.delete(confirm));
      this.confirming.add(confirm);
    }
    events.forEach((e, slot) => {
      results[slot] ??= { ...results[firstByKey.get(JSON.stringify([e.parsed.event.source, e.parsed.event.id]))!]!, duplicate: true };
    });
    return results;
  }

  private record(checked: CheckedEvent, eventId: string, receivedAt: string, trace: TraceHeaders): OutgoingRecord {
    const { event, eventType, partitionKey } = checked.parsed;
    const value: IngressRecord = { eventId, receivedAt, schemaVersion: checked.schema.version, event };
    const headers: Record<string, string> = {
      [kafkaHeaders.ceId]: event.id,
      [kafkaHeaders.ceSource]: event.source,
      [kafkaHeaders.ceType]: event.type,
      [kafkaHeaders.ceSpecVersion]: event.specversion,
      [kafkaHeaders.ceDataVersion]: String(checked.schema.version),
      [kafkaHeaders.contentType]: "application/json",
      [kafkaHeaders.eventId]: eventId,
      [kafkaHeaders.traceparent]: trace.traceparent,
    };
    if (event.time) headers[kafkaHeaders.ceTime] = event.time;
    if (trace.tracestate) headers[kafkaHeaders.tracestate] = trace.tracestate;
    return { topic: ingressTopic(eventType), key: partitionKey, value: JSON.stringify(value), headers };
  }

  private async releaseAll(reserved: { event: CheckedEvent; eventId: string }[]): Promise<void> {
    await Promise.all(
      reserved.map((o) =>
        this.deps.ledger
          .release(o.event.parsed.event.source, o.event.parsed.event.id, o.eventId)
          .catch((err: unknown) => this.deps.logger.warn({ err, eventId: o.eventId }, "releasing the idempotency reservation failed; it lapses with its lease")),
      ),
    );
  }
}
