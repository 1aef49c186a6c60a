import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { activeSecrets, signWebhook, webhookId } from "../../../apps/dispatcher/signer";
import type { SigningSecret } from "../../../model/records";

const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
const body = JSON.stringify({ type: "orders.created", timestamp: "2026-01-01T00:00:00Z", data: { id: 1, note: "ünïcødé" } });

describe("webhookId", () => {
  it("is the same for the same event and subscription and differs otherwise", () => {
    assert.equal(webhookId("evt-1", "sub_a"), webhookId("evt-1", "sub_a"));
    assert.notEqual(webhookId("evt-1", "sub_a"), webhookId("evt-1", "sub_b"));
    assert.notEqual(webhookId("evt-1", "sub_a"), webhookId("evt-2", "sub_a"));
    assert.notEqual(webhookId("evt-1", "sub_a"), webhookId("evt-1s", "ub_a"));
    assert.match(webhookId("evt-1", "sub_a"), /^msg_[A-Za-z0-9_-]{32}$/);
  });
});

describe("signWebhook", () => {
  it("produces headers that the standardwebhooks library verifies with the subscription's secret", () => {
    const secret = newSecret();
    const headers = signWebhook({ webhookId: "msg_x", body, secrets: [{ secret, created_at: "2026-01-01T00:00:00Z" }], now: new Date() });
    assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
    assert.match(headers["webhook-timestamp"], /^\d{10}$/);
    assert.equal(headers["webhook-signature"].split(" ").length, 1);
  });

  it("fails verification with another secret or a changed body", () => {
    const secret = newSecret();
    const headers = signWebhook({ webhookId: "msg_x", body, secrets: [{ secret, created_at: "2026-01-01T00:00:00Z" }], now: new Date() });
    assert.throws(() => new Webhook(newSecret()).verify(body, { ...headers }), WebhookVerificationError);
    assert.throws(() => new Webhook(secret).verify(body.replace("1", "2"), { ...headers }), WebhookVerificationError);
  });

  it("signs with both secrets during a rotation overlap, so old and new secret both verify", () => {
    const now = new Date();
    const oldSecret = newSecret();
    const newer = newSecret();
    const secrets: SigningSecret[] = [
      { secret: newer, created_at: now.toISOString() },
      { secret: oldSecret, created_at: "2026-01-01T00:00:00Z", expires_at: new Date(now.getTime() + 3600_000).toISOString() },
    ];
    const headers = signWebhook({ webhookId: "msg_rot", body, secrets, now });
    assert.equal(headers["webhook-signature"].split(" ").length, 2);
    assert.doesNotThrow(() => new Webhook(newer).verify(body, { ...headers }));
    assert.doesNotThrow(() => new Webhook(oldSecret).verify(body, { ...headers }));
  });

  it("drops the old secret once its overlap has ended", () => {
    const now = new Date();
    const oldSecret = newSecret();
    const newer = newSecret();
    const secrets: SigningSecret[] = [
      { secret: newer, created_at: now.toISOString() },
      { secret: oldSecret, created_at: "2026-01-01T00:00:00Z", expires_at: new Date(now.getTime() - 1000).toISOString() },
    ];
    const headers = signWebhook({ webhookId: "msg_rot", body, secrets, now });
    assert.equal(headers["webhook-signature"].split(" ").length, 1);
    assert.doesNotThrow(() => new Webhook(newer).verify(body, { ...headers }));
    assert.throws(() => new Webhook(oldSecret).verify(body, { ...headers }), WebhookVerificationError);
    assert.deepEqual(activeSecrets(secrets, now).map((s) => s.secret), [newer]);
  });

  it("signs right with a secret's key set up by an earlier delivery, and after more secrets than are kept set up", () => {
    const first = newSecret();
    const sign = (secret: string) => signWebhook({ webhookId: "msg_x", body, secrets: [{ secret, created_at: "2026-01-01T00:00:00Z" }], now: new Date() });
    assert.doesNotThrow(() => new Webhook(first).verify(body, { ...sign(first) }));
    assert.doesNotThrow(() => new Webhook(first).verify(body, { ...sign(first) }));
    const others = Array.from({ length: 1100 }, newSecret);
    for (const s of others) sign(s);
    for (const s of [first, others[0]!, others[1099]!]) assert.doesNotThrow(() => new Webhook(s).verify(body, { ...sign(s) }));
    assert.throws(() => new Webhook(others[5]!).verify(body, { ...sign(first) }), WebhookVerificationError);
  });

  it("refuses to sign without an active secret", () => {
    const expired: SigningSecret[] = [{ secret: newSecret(), created_at: "2026-01-01T00:00:00Z", expires_at: "2026-01-02T00:00:00Z" }];
    assert.throws(() => signWebhook({ webhookId: "msg_x", body, secrets: expired, now: new Date() }), /no active signing secret/);
  });

  it("names the fault in a malformed secret", () => {
    assert.throws(
      () => signWebhook({ webhookId: "msg_x", body, secrets: [{ secret: "abc", created_at: "2026-01-01T00:00:00Z" }], now: new Date() }),
      /must start with "whsec_"/,
    );
  });
});
