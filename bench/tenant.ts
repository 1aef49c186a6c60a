// The bench's tenant, made through the admin API as an operator would make it: the bench
// schema for each measured event type (which creates its ingress topic), a producer key for
// the `bench` domain, and approved partner subscriptions (which create egress topics).

import { benchDomain, benchSchema } from "./payload";

export interface Subscription {
  id: string;
  partnerId: string;
  secret: string;
}

export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(what: string, method: string, path: string, body: unknown, ok: number[]): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!ok.includes(res.status)) throw new Error(`${what}: admin API answered ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Registers the bench schema for `bench.{event}`; returns its ingress topic. */
  async registerSchema(event: string): Promise<string> {
    const { topic } = await this.call<{ topic: string }>(`registering schema ${benchDomain}.${event}`, "PUT", `/v1/schemas/${benchDomain}/${event}`, benchSchema, [200, 201]);
    return topic;
  }

  async createProducer(): Promise<string> {
    const { apiKey } = await this.call<{ apiKey: string }>("creating the bench producer", "POST", "/v1/producers", { domain: benchDomain }, [201]);
    return apiKey;
  }

  async subscribe(partnerId: string, eventType: string, url: string): Promise<Subscription> {
    const base = `/v1/partners/${partnerId}/subscriptions`;
    const created = await this.call<{ id: string; secret: string }>(`subscribing ${partnerId} to ${eventType}`, "POST", base, { eventType, url }, [201]);
    await this.call(`approving ${created.id}`, "POST", `${base}/${created.id}/approve`, undefined, [200]);
    return { id: created.id, partnerId, secret: created.secret };
  }

  /** Delivery status of an event per subscription, as the admin API reports it. */
  async deliveries(eventId: string): Promise<{ subscriptionId: string; status: string }[]> {
    const body = await this.call<{ deliveries?: { subscriptionId: string; status: string }[] }>(`deliveries of ${eventId}`, "GET", `/v1/events/${eventId}/deliveries`, undefined, [200, 404]);
    return body?.deliveries ?? [];
  }
}
