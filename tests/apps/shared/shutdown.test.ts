import { describe, it } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { shutdownSequence } from "../../../apps/shared/shutdown";
import { createHttpServer } from "../../../apps/shared/http/server";
import { createMetrics } from "../../../apps/shared/metrics";
import { createReadiness } from "../../../apps/shared/readiness";

describe("graceful shutdown", () => {
  it("lets in-flight requests finish, refuses new ones, then runs the steps in order, once", async () => {
    const order: string[] = [];
    const app = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics("t"), readiness: createReadiness({}) });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const requestStarted = new Promise<void>((r) => (started = r));
    app.get("/slow", async () => {
      started();
      await held;
      order.push("request finished");
      return { ok: true };
    });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });

    const inFlight = fetch(`${base}/slow`, { headers: { connection: "close" } });
    await requestStarted;
    const shutdown = shutdownSequence({
      logger: pino({ level: "silent" }),
      server: app,
      steps: [
        { name: "flush", run: async () => void order.push("flush") },
        { name: "broken", run: async () => Promise.reject(new Error("already gone")) },
        { name: "disconnect", run: async () => void order.push("disconnect") },
      ],
    });
    const done = shutdown();
    assert.equal(shutdown(), done, "a second signal joins the same shutdown");
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(fetch(`${base}/healthz`), "no new connections once intake stopped");
    assert.deepEqual(order, []);
    release();
    const res = await inFlight;
    assert.equal(res.status, 200);
    await done;
    assert.deepEqual(order, ["request finished", "flush", "disconnect"]);
  });
});
