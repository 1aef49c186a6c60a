// The demo producer and partner of the local platform, made through the admin API as an
// operator would: a producer key for the `orders` domain, and partner `demo` subscribed to
// orders.created with the demo receiver as its URL. A second start finds the subscription
// from the first and rotates its secret, since a secret is shown only once.

import { loadContracts } from "../model/contracts";
import type { DemoReceiver } from "./receiver";

export const demoEventType = "orders.created";
export const demoPartnerId = "demo";

export interface DemoTenant {
  readonly producerKey: string;
  readonly subscriptionId: string;
  /** A copy-paste command that sends one valid event through the gateway. */
  readonly curl: string;
}

interface SubscriptionView {
  id: string;
  eventType: string;
  status: string;
  secret?: string;
}

async function call<T>(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function expect<T>(what: string, res: { status: number; body: T }, ...ok: number[]): T {
  if (!ok.includes(res.status)) throw new Error(`${what}: admin API answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function demoSubscription(adminUrl: string, token: string, receiverUrl: string): Promise<{ id: string; secret: string }> {
  const base = `${adminUrl}/v1/partners/${demoPartnerId}/subscriptions`;
  const created = await call<SubscriptionView>("POST", base, token, { eventType: demoEventType, url: receiverUrl });
  let id: string;
  let secret: string;
  if (created.status === 409) {
    const { subscriptions } = expect("listing the demo subscriptions", await call<{ subscriptions: SubscriptionView[] }>("GET", base, token), 200);
    const existing = subscriptions.find((s) => s.eventType === demoEventType);
    if (!existing) throw new Error(`the admin API reported a conflict, but partner ${demoPartnerId} has no ${demoEventType} subscription`);
    const rotated = expect("rotating the demo subscription's secret", await call<SubscriptionView>("POST", `${base}/${existing.id}/rotate-secret`, token), 200);
    id = existing.id;
    secret = rotated.secret as string;
  } else {
    const body = expect("creating the demo subscription", created, 201);
    id = body.id;
    secret = body.secret as string;
  }
  expect("approving the demo subscription", await call<SubscriptionView>("POST", `${base}/${id}/approve`, token), 200);
  return { id, secret };
}

function sampleEvent(): Record<string, unknown> {
  const contract = loadContracts().find((c) => c.type === demoEventType);
  const latest = contract?.versions.at(-1);
  const example = (latest?.schema.examples as unknown[] | undefined)?.[0];
  if (!latest || example === undefined) throw new Error(`contracts/ has no example for ${demoEventType} to build the demo curl line from`);
  return { specversion: "1.0", id: "demo-1", source: "urn:demo:shop", type: demoEventType, dataversion: latest.version, data: example };
}

export async function createDemoTenant(adminUrl: string, gatewayUrl: string, token: string, receiver: DemoReceiver): Promise<DemoTenant> {
  const producer = expect("creating the demo producer", await call<{ apiKey: string }>("POST", `${adminUrl}/v1/producers`, token, { domain: "orders" }), 201);
  const subscription = await demoSubscription(adminUrl, token, receiver.url);
  receiver.setSecrets([subscription.secret]);
  // `id` is fixed in the printed line; the shell swaps it for a fresh one so every paste is a new event.
  const body = JSON.stringify(sampleEvent()).replace(/'/g, "'\\''").replace('"id":"demo-1"', `"id":"'"$(date +%s%N)"'"`);
  const curl = [
    `curl -sS -X POST ${gatewayUrl}/v1/events`,
    `  -H 'authorization: Bearer ${producer.apiKey}'`,
    `  -H 'content-type: application/cloudevents+json'`,
    `  -d '${body}'`,
  ].join(" \\\n");
  return { producerKey: producer.apiKey, subscriptionId: subscription.id, curl };
}
