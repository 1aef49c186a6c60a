import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { attemptRecord, Deliverer, parseRetryAfter } from "../../../apps/dispatcher/deliver";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function receiver(handler: Handler): Promise<{ url: string; server: Server; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    server,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const body = JSON.stringify({ type: "orders.created", timestamp: "2026-01-01T00:00:00Z", data: { n: 1 } });
const signed = { "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,x" };

describe("Deliverer.attempt against real receivers on 127.0.0.1", () => {
  let deliverer: Deliverer;
  before(() => {
    deliverer = new Deliverer({ timeoutMs: 600, allowPrivateTargets: true });
  });
  after(async () => {
    await deliverer.close();
  });

  it("POSTs the body as application/json with the signature headers and reports success on 2xx", async () => {
    let seen: { method?: string; type?: string; id?: string; body?: string } = {};
    const r = await receiver((req, res, b) => {
      seen = { method: req.method, type: req.headers["content-type"], id: req.headers["webhook-id"] as string, body: b };
      res.writeHead(204).end();
    });
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.equal(out.kind, "success");
      assert.equal(out.statusCode, 204);
      assert.deepEqual(seen, { method: "POST", type: "application/json", id: "msg_1", body });
    } finally {
      await r.close();
    }
  });

  it("classifies 410 as gone", async () => {
    const r = await receiver((_q, res) => res.writeHead(410).end("bye"));
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.deepEqual([out.kind, out.result, out.statusCode], ["gone", "gone", 410]);
    } finally {
      await r.close();
    }
  });

  it("classifies 429 with Retry-After seconds as throttled with the delay", async () => {
    const r = await receiver((_q, res) => res.writeHead(429, { "retry-after": "3" }).end());
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.equal(out.kind, "retry");
      assert.equal(out.kind === "retry" && out.result, "throttled");
      assert.equal(out.kind === "retry" && out.retryAfterMs, 3000);
    } finally {
      await r.close();
    }
  });

  it("classifies 503 with an HTTP-date Retry-After as throttled", async () => {
    const at = new Date(Date.now() + 10_000).toUTCString();
    const r = await receiver((_q, res) => res.writeHead(503, { "retry-after": at }).end());
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.equal(out.kind === "retry" && out.result, "throttled");
      const ms = out.kind === "retry" ? (out.retryAfterMs ?? -1) : -1;
      assert.ok(ms > 8000 && ms <= 10_000, `retryAfterMs ${ms}`);
    } finally {
      await r.close();
    }
  });

  it("does not follow a 302 and counts it as a failed attempt", async () => {
    const target = await receiver((_q, res) => res.writeHead(200).end());
    const r = await receiver((_q, res) => res.writeHead(302, { location: target.url }).end());
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.deepEqual([out.kind, out.result, out.statusCode], ["retry", "redirect", 302]);
      assert.equal(target.hits(), 0);
    } finally {
      await r.close();
      await target.close();
    }
  });

  it("keeps the first characters of a 500 body in the error", async () => {
    const r = await receiver((_q, res) => res.writeHead(500).end("database is down\n" + "x".repeat(5000)));
    try {
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      assert.equal(out.result, "http_error");
      assert.match(out.kind === "retry" ? out.error : "", /^receiver answered 500: database is down x+$/);
      assert.ok(out.kind === "retry" && out.error.length < 260);
    } finally {
      await r.close();
    }
  });

  it("cuts a receiver that never answers at the timeout", async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    try {
      const t0 = Date.now();
      const out = await deliverer.attempt({ url: r.url, body, headers: signed });
      const took = Date.now() - t0;
      assert.equal(out.result, "timeout");
      assert.ok(took >= 550 && took < 2000, `took ${took} ms`);
    } finally {
      await r.close();
    }
  });

  it("reads a huge response body only up to the bound and still reports success", async () => {
    const small = new Deliverer({ timeoutMs: 5000, allowPrivateTargets: true, maxResponseBytes: 1024 });
    const r = await receiver((_q, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 97);
      let sent = 0;
      const push = () => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once("drain", push);
        else res.end();
      };
      push();
    });
    try {
      const out = await small.attempt({ url: r.url, body, headers: signed });
      assert.equal(out.kind, "success");
    } finally {
      await small.close();
      await r.close();
    }
  });

  it("classifies a closed port as a connect failure", async () => {
    const r = await receiver((_q, res) => res.end());
    const url = r.url;
    await r.close();
    const out = await deliverer.attempt({ url, body, headers: signed });
    assert.equal(out.result, "connect");
  });

  it("classifies an unresolvable host as a dns failure", async () => {
    const d = new Deliverer({
      timeoutMs: 600,
      allowPrivateTargets: true,
      resolve: async (h) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: "ENOTFOUND" });
      },
    });
    try {
      const out = await d.attempt({ url: "http://nowhere.invalid/hook", body, headers: signed });
      assert.equal(out.result, "dns");
    } finally {
      await d.close();
    }
  });

  it("classifies a TLS handshake with a plain-HTTP listener as a tls failure", async () => {
    const r = await receiver((_q, res) => res.end());
    try {
      const out = await deliverer.attempt({ url: r.url.replace("http:", "https:"), body, headers: signed });
      assert.equal(out.result, "tls");
    } finally {
      await r.close();
    }
  });

  it("refuses a loopback target without a request when private targets are not allowed", async () => {
    const strict = new Deliverer({ timeoutMs: 600, allowPrivateTargets: false });
    const r = await receiver((_q, res) => res.end());
    try {
      const plain = await strict.attempt({ url: r.url, body, headers: signed });
      assert.equal(plain.result, "refused_target");
      const tls = await strict.attempt({ url: r.url.replace("http:", "https:"), body, headers: signed });
      assert.equal(tls.result, "refused_target");
      assert.equal(r.hits(), 0);
    } finally {
      await strict.close();
      await r.close();
    }
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP-dates, and ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("120", now), 120_000);
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe("attemptRecord", () => {
  it("records status, duration, result and error of an attempt", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    assert.deepEqual(attemptRecord(2, at, { kind: "retry", result: "http_error", statusCode: 500, durationMs: 12, error: "receiver answered 500" }), {
      attempt: 2,
      at: "2026-01-01T00:00:00.000Z",
      duration_ms: 12,
      result: "http_error",
      status_code: 500,
      error: "receiver answered 500",
    });
    assert.deepEqual(attemptRecord(1, at, { kind: "success", result: "success", statusCode: 200, durationMs: 3 }), {
      attempt: 1,
      at: "2026-01-01T00:00:00.000Z",
      duration_ms: 3,
      result: "success",
      status_code: 200,
    });
  });
});
