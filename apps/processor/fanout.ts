// One ingress record in, one delivery record per approved subscription out, on the
// subscription's egress topic `wh.egress.{partner}.{domain}.{event}`. The key is the ingress
// record's key (the CloudEvent partition key or source), so one source's events stay in
// order on each partner's topic. The records carry the W3C trace context: the `fanout` span's
// when tracing is on, else the ingress record's own.

import type { IHeaders } from "kafkajs";
import type { DeliveryRecord, IngressRecord, SubscriptionItem } from "../../model/records";
import { egressTopic, kafkaHeaders, parseEventType } from "../../model/topics";
import { headerText } from "../shared/kafka-headers";
import type { TraceHeaders } from "../shared/trace-context";

export interface EgressMessage {
  topic: string;
  subscriptionId: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export class InvalidIngressRecord extends Error {
  constructor(reason: string) {
    super(`invalid ingress record: ${reason}`);
    this.name = "InvalidIngressRecord";
  }
}

/** Parses and checks the fields fan-out needs, naming the one at fault. */
export function parseIngressRecord(value: Buffer | null): IngressRecord {
  if (!value) throw new InvalidIngressRecord("empty value");
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch (err) {
    throw new InvalidIngressRecord(`value is not JSON (${(err as Error).message})`);
  }
  const r = parsed as Partial<IngressRecord>;
  if (typeof r?.eventId !== "string" || r.eventId === "") throw new InvalidIngressRecord("eventId must be a non-empty string");
  if (typeof r.receivedAt !== "string") throw new InvalidIngressRecord("receivedAt must be an ISO 8601 string");
  if (typeof r.event !== "object" || r.event === null) throw new InvalidIngressRecord("event must be an object");
  if (typeof r.event.type !== "string" || !parseEventType(r.event.type)) throw new InvalidIngressRecord("event.type must be {domain}.{event}");
  return r as IngressRecord;
}


/** `trace`: the context the records carry (the fan-out span's); absent, the ingress record's is carried along. */
export function egressMessages(record: IngressRecord, key: string, ingressHeaders: IHeaders | undefined, subscriptions: readonly SubscriptionItem[], trace?: TraceHeaders): EgressMessage[] {
  const eventType = parseEventType(record.event.type)!;
  const traceparent = trace ? trace.traceparent : headerText(ingressHeaders, kafkaHeaders.traceparent);
  const tracestate = trace ? trace.tracestate : headerText(ingressHeaders, kafkaHeaders.tracestate);
  return subscriptions.map((sub) => {
    const value: DeliveryRecord = {
      eventId: record.eventId,
      subscriptionId: sub.subscription_id,
      partnerId: sub.partner_id,
      eventType: record.event.type,
      receivedAt: record.receivedAt,
      type: record.event.type,
      timestamp: record.event.time ?? record.receivedAt,
      data: record.event.data ?? null,
    };
    return {
      topic: egressTopic(sub.partner_id, eventType),
      subscriptionId: sub.subscription_id,
      key,
      value: JSON.stringify(value),
      headers: {
        [kafkaHeaders.contentType]: "application/json",
        [kafkaHeaders.eventId]: record.eventId,
        [kafkaHeaders.subscriptionId]: sub.subscription_id,
        ...(traceparent ? { [kafkaHeaders.traceparent]: traceparent } : {}),
        ...(tracestate ? { [kafkaHeaders.tracestate]: tracestate } : {}),
      },
    };
  });
}
