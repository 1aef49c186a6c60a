// The CloudEvents 1.0 envelope in structured JSON mode, checked precisely. The `cloudevents`
// SDK is not used for this: its constructor fills in a missing `id` and `time`, so it cannot
// tell a producer that a required attribute is absent.

import { z } from "zod";
import { parseEventType, type EventType } from "../../model/topics";
import type { FieldError } from "../shared/http/problem";
import { jsonPointer } from "../shared/http/validate";
import type { IngressRecord } from "../../model/records";

export type CloudEvent = IngressRecord["event"];

export interface ParsedEvent {
  event: CloudEvent;
  eventType: EventType;
  /** The `dataversion` extension: the schema version the producer asks to be validated against. */
  requestedVersion?: number;
  /** Kafka record key: the `partitionkey` extension, else `source`. */
  partitionKey: string;
}

const extensionName = /^[a-z0-9]{1,20}$/;
const jsonMediaType = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;.*)?$/i;

const nonEmpty = (name: string) => z.string({ error: `${name} is required: a non-empty string` }).min(1, `${name} must not be empty`);

const envelopeSchema = z
  .object({
    specversion: z.literal("1.0", { error: 'specversion must be "1.0"' }),
    id: nonEmpty("id"),
    source: nonEmpty("source"),
    type: z
      .string({ error: "type is required: {domain}.{event}" })
      .refine((t) => parseEventType(t) !== undefined, {
        error: "type must be {domain}.{event}: two lower-case segments of letters, digits, _ or -, e.g. orders.created",
      }),
    time: z.iso.datetime({ offset: true, error: "time must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z" }).optional(),
    dataschema: z.url({ error: "dataschema must be an absolute URI" }).optional(),
    subject: nonEmpty("subject").optional(),
    datacontenttype: z
      .string()
      .regex(jsonMediaType, "datacontenttype must be a JSON media type (application/json); data is validated as JSON")
      .optional(),
    dataversion: z
      .union([z.number(), z.string().regex(/^[0-9]+$/).transform(Number)], { error: "dataversion must be a positive integer schema version" })
      .pipe(z.number().int("dataversion must be a positive integer schema version").positive("dataversion must be a positive integer schema version"))
      .optional(),
    partitionkey: nonEmpty("partitionkey").optional(),
    data: z.unknown().optional(),
    data_base64: z.never({ error: "data_base64 is not accepted: send the payload as JSON in data" }).optional(),
  })
  .catchall(z.union([z.string(), z.number().int(), z.boolean()], { error: "an extension attribute must be a string, an integer or a boolean" }))
  .superRefine((event, ctx) => {
    for (const name of Object.keys(event)) {
      if (!(name in envelopeSchema.shape) && !extensionName.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: "extension attribute names are 1-20 lower-case letters or digits" });
      }
    }
  });

export type EnvelopeResult = { ok: true; parsed: ParsedEvent } | { ok: false; errors: FieldError[] };

/** Checks one event; `pathPrefix` is "" for a single event and "/{index}" inside a batch. */
export function parseEnvelope(input: unknown, pathPrefix = ""): EnvelopeResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: pathPrefix || "/", message: "a CloudEvent must be a JSON object" }] };
  }
  const result = envelopeSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, errors: result.error.issues.map((i) => ({ path: `${pathPrefix}${jsonPointer(i.path)}`, message: i.message })) };
  }
  // Keep the event as the producer sent it (dataversion included), not the coerced copy.
  const event = input as CloudEvent;
  const requestedVersion = result.data.dataversion;
  return {
    ok: true,
    parsed: {
      event,
      eventType: parseEventType(result.data.type)!,
      ...(requestedVersion !== undefined ? { requestedVersion } : {}),
      partitionKey: result.data.partitionkey ?? result.data.source,
    },
  };
}
