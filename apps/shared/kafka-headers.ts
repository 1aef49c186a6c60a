// Kafka header values arrive as Buffers (or arrays of them); the platform's headers are text.

import type { IHeaders } from "kafkajs";

/** The first value of a header as text, or undefined when the record does not carry it. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/** Every header of a record as text (the first value of a repeated one). */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerText(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
