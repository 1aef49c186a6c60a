import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { EndpointBreakers, endpointOf, type CircuitStateName } from "../../../apps/dispatcher/breaker";
import { Deliverer } from "../../../apps/dispatcher/deliver";

interface Receiver {
  url: string;
  hits: number;
  status: number;
  server: Server;
}

async function receiver(status: number): Promise<Receiver> {
  const r = { url: "", hits: 0, status, server: undefined as unknown as Server };
  r.server = createServer((req, res) => {
    r.hits++;
    req.resume();
    req.on("end", () => res.writeHead(r.status).end());
  });
  await new Promise<void>((ok) => r.server.listen(0, "127.0.0.1", ok));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
  return r;
}

describe("EndpointBreakers with a real receiver", () => {
  let deliverer: Deliverer;
  let failing: Receiver;
  let healthy: Receiver;
  const changes: [string, CircuitStateName][] = [];
  const breakers = new EndpointBreakers({ threshold: 3, halfOpenAfterMs: 300, onStateChange: (e, s) => changes.push([e, s]) });
  const send = (r: Receiver) => breakers.run(r.url, () => deliverer.attempt({ url: r.url, body: "{}", headers: {} }));

  before(async () => {
    deliverer = new Deliverer({ timeoutMs: 2000, allowPrivateTargets: true });
    failing = await receiver(500);
    healthy = await receiver(200);
  });
  after(async () => {
    await deliverer.close();
    for (const r of [failing, healthy]) {
      r.server.closeAllConnections();
      await new Promise<void>((ok) => r.server.close(() => ok()));
    }
  });

  it("opens after the threshold of consecutive failures and then sends no request", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await send(failing)).ran, true);
    assert.equal(breakers.state(failing.url), "open");
    for (let i = 0; i < 5; i++) assert.deepEqual(await send(failing), { ran: false });
    assert.equal(failing.hits, 3);
    assert.deepEqual(changes, [[endpointOf(failing.url), "open"]]);
  });

  it("keeps other endpoints closed", async () => {
    const r = await send(healthy);
    assert.equal(r.ran && r.outcome.kind, "success");
    assert.equal(breakers.state(healthy.url), "closed");
  });

  it("reopens when the half-open probe fails, sending exactly one probe", async () => {
    await sleep(350);
    const results = await Promise.all([send(failing), send(failing), send(failing)]);
    assert.equal(results.filter((r) => r.ran).length, 1);
    assert.equal(failing.hits, 4);
    assert.equal(breakers.state(failing.url), "open");
  });

  it("closes after a successful half-open probe", async () => {
    failing.status = 200;
    assert.deepEqual(await send(failing), { ran: false });
    await sleep(350);
    const probe = await send(failing);
    assert.equal(probe.ran && probe.outcome.kind, "success");
    assert.equal(breakers.state(failing.url), "closed");
    assert.equal((await send(failing)).ran, true);
    assert.equal(failing.hits, 6);
    assert.deepEqual(changes.filter(([e]) => e === endpointOf(failing.url)).map(([, s]) => s), ["open", "half_open", "open", "half_open", "closed"]);
  });

  it("does not count a 410 as a failure", async () => {
    const gone = await receiver(410);
    try {
      const b = new EndpointBreakers({ threshold: 2, halfOpenAfterMs: 10_000 });
      for (let i = 0; i < 4; i++) await b.run(gone.url, () => deliverer.attempt({ url: gone.url, body: "{}", headers: {} }));
      assert.equal(b.state(gone.url), "closed");
      assert.equal(gone.hits, 4);
    } finally {
      gone.server.closeAllConnections();
      await new Promise<void>((ok) => gone.server.close(() => ok()));
    }
  });

  it("rejects a threshold that is not a whole number of at least 1", () => {
    assert.throws(() => new EndpointBreakers({ threshold: 0, halfOpenAfterMs: 1 }), /threshold must be a whole number >= 1, got 0/);
  });
});
