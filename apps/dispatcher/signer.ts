// Standard Webhooks signing (https://www.standardwebhooks.com/):
//   webhook-id         msg_<hash of event id + subscription id>: the same on every retry and
//                      replay of one event to one subscription, so receivers can dedupe on it
//   webhook-timestamp  unix seconds of this attempt
//   webhook-signature  v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")> per active secret,
//                      space-separated (two while a rotated secret overlaps the new one)
//
// HMAC through node:crypto (native) rather than the standardwebhooks package's pure-JS
// SHA-256: same bytes, cheaper per delivery. The tests verify with the package. The key of
// each secret is decoded and set up once (a `KeyObject`, in a small bounded cache): building
// an HMAC from raw key bytes sets the key up again every time and costs ~10x the HMAC itself.

import { createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { SigningSecret } from "../../model/records";

const secretPrefix = "whsec_";

export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Stable id of the delivery of one event to one subscription. */
export function webhookId(eventId: string, subscriptionId: string): string {
  const digest = createHash("sha256").update(eventId).update("\0").update(subscriptionId).digest("base64url");
  return `msg_${digest.slice(0, 32)}`;
}

/** The secrets that sign now: every secret not yet expired, newest first (as stored). */
export function activeSecrets(secrets: readonly SigningSecret[], now: Date): SigningSecret[] {
  return secrets.filter((s) => s.expires_at === undefined || Date.parse(s.expires_at) > now.getTime());
}

/** Secrets whose keys are kept set up: more than the active secrets of the subscriptions a busy instance serves at once. */
const maxCachedKeys = 1024;
const keys = new Map<string, KeyObject>();

function secretKey(secret: string): KeyObject {
  const cached = keys.get(secret);
  if (cached) return cached;
  if (!secret.startsWith(secretPrefix)) throw new Error(`signing secret must start with "${secretPrefix}"`);
  const bytes = Buffer.from(secret.slice(secretPrefix.length), "base64");
  if (bytes.length === 0) throw new Error("signing secret has an empty key");
  const key = createSecretKey(bytes);
  if (keys.size >= maxCachedKeys) keys.delete(keys.keys().next().value!); // the oldest entry
  keys.set(secret, key);
  return key;
}

/** `v1,<sig>` for each secret, space-separated. */
export function signatureHeader(id: string, timestampSeconds: number, body: string, secrets: readonly string[]): string {
  if (secrets.length === 0) throw new Error("no active signing secret: a delivery is never sent unsigned");
  const signed = `${id}.${timestampSeconds}.${body}`;
  return secrets.map((s) => `v1,${createHmac("sha256", secretKey(s)).update(signed).digest("base64")}`).join(" ");
}

export interface SignInput {
  webhookId: string;
  body: string;
  secrets: readonly SigningSecret[];
  now: Date;
}

export function signWebhook({ webhookId: id, body, secrets, now }: SignInput): WebhookHeaders {
  const timestamp = Math.floor(now.getTime() / 1000);
  const active = activeSecrets(secrets, now).map((s) => s.secret);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(id, timestamp, body, active),
  };
}
