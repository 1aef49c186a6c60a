// The events the bench sends: CloudEvents of domain `bench` whose data is a realistic order of
// about 1 KiB, valid against the bench schema registered through the admin API. `reference`
// carries the bench's own id of the event into the webhook body, so the receiver can tell
// which event arrived without trusting anything the platform adds.

export const benchDomain = "bench";

/** One event type per measurement, so the subscriptions of one never receive another's events. */
export const benchEvents = {
  ingest: "ingest",
  dispatch: "dispatch",
  fanout1: "fanout1",
  fanout3: "fanout3",
} as const;

export const targetDataBytes = 1024;

export const benchSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "bench order",
  type: "object",
  additionalProperties: false,
  required: ["reference", "orderId", "customerId", "placedAt", "lines", "total", "shippingAddress", "note"],
  properties: {
    reference: { type: "string", minLength: 1, maxLength: 64 },
    orderId: { type: "string", pattern: "^ord_[A-Za-z0-9]{8,32}$" },
    customerId: { type: "string", pattern: "^cus_[A-Za-z0-9]{8,32}$" },
    placedAt: { type: "string", format: "date-time" },
    lines: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["sku", "quantity", "unitPrice"],
        properties: {
          sku: { type: "string", minLength: 1, maxLength: 64 },
          quantity: { type: "integer", minimum: 1 },
          unitPrice: { $ref: "#/definitions/money" },
        },
      },
    },
    total: { $ref: "#/definitions/money" },
    shippingAddress: {
      type: "object",
      required: ["line1", "city", "postalCode", "country"],
      properties: {
        line1: { type: "string" },
        line2: { type: "string" },
        city: { type: "string" },
        postalCode: { type: "string" },
        country: { type: "string", pattern: "^[A-Z]{2}$" },
      },
    },
    note: { type: "string", maxLength: 2048 },
  },
  definitions: {
    money: {
      type: "object",
      additionalProperties: false,
      required: ["amount", "currency"],
      properties: { amount: { type: "integer", minimum: 0 }, currency: { type: "string", pattern: "^[A-Z]{3}$" } },
    },
  },
} as const;

export interface BenchOrder {
  reference: string;
  [field: string]: unknown;
}

/** An order whose JSON is `targetDataBytes` long when `reference` has `referenceLength` characters. */
export function benchOrder(reference: string, referenceLength = reference.length): BenchOrder {
  const money = (amount: number) => ({ amount, currency: "EUR" });
  const lines = [
    { sku: "SKU-TSHIRT-BLUE-M", quantity: 2, unitPrice: money(1999) },
    { sku: "SKU-MUG-CERAMIC-350", quantity: 1, unitPrice: money(1250) },
    { sku: "SKU-NOTEBOOK-A5-DOT", quantity: 3, unitPrice: money(790) },
    { sku: "SKU-STICKER-PACK-12", quantity: 1, unitPrice: money(399) },
  ];
  const order = {
    reference,
    orderId: "ord_7Hq2LmX9pR4sT1vW",
    customerId: "cus_K3n8Bz5QyD2fJ6aE",
    placedAt: "2026-11-21T08:00:00.000Z",
    lines,
    total: money(lines.reduce((sum, l) => sum + l.quantity * l.unitPrice.amount, 0)),
    shippingAddress: { line1: "Keizersgracht 123", line2: "3rd floor", city: "Amsterdam", postalCode: "1015 CJ", country: "NL" },
    note: "",
  };
  const size = JSON.stringify(order).length - reference.length + referenceLength;
  order.note = "Leave the parcel with the neighbours if nobody answers. ".repeat(40).slice(0, Math.max(0, targetDataBytes - size));
  return order;
}

export function benchEventType(event: string): string {
  return `${benchDomain}.${event}`;
}

/**
 * One CloudEvent 1.0 in structured mode. The source is the record key downstream (one source's
 * events stay in order, one after another), so a load spreads its events over many sources.
 */
export function benchCloudEvent(event: string, id: string, source: string, reference = id): Record<string, unknown> {
  return { specversion: "1.0", id, source, type: benchEventType(event), time: new Date().toISOString(), data: benchOrder(reference) };
}
