import { describe, it } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { createHttpServer } from "../../../apps/shared/http/server";
import { HttpProblem } from "../../../apps/shared/http/problem";
import { createMetrics } from "../../../apps/shared/metrics";
import { createReadiness } from "../../../apps/shared/readiness";

function server(check: () => Promise<void> = async () => undefined) {
  const app = createHttpServer({
    logger: pino({ level: "silent" }),
    metrics: createMetrics("test"),
    readiness: createReadiness({ engine: check }, { cacheMs: 50, timeoutMs: 200 }),
    bodyLimit: 64,
  });
  app.post("/v1/things", async (request) => ({ got: request.body }));
  app.get("/v1/things/:id", async (request) => {
    const { id } = request.params as { id: string };
    throw new HttpProblem(409, "conflict", `thing ${id} is busy`, [{ path: "/id", message: "busy" }]);
  });
  app.get("/v1/boom", async () => {
    throw new Error("secret internals");
  });
  return app;
}

describe("service HTTP server", () => {
  it("answers /healthz while the process is alive", async () => {
    const res = await server().inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "ok" });
  });

  it("answers /readyz 503 naming the failing check, and 200 once it passes (after the cache expires)", async () => {
    let healthy = false;
    const app = server(async () => {
      if (!healthy) throw new Error("broker unreachable");
    });
    const down = await app.inject({ method: "GET", url: "/readyz" });
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { status: "not ready", checks: { engine: "broker unreachable" } });
    healthy = true;
    await new Promise((r) => setTimeout(r, 60));
    const up = await app.inject({ method: "GET", url: "/readyz" });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json(), { status: "ready", checks: { engine: "ok" } });
  });

  it("caches the readiness result briefly instead of asking the engines on every probe", async () => {
    let calls = 0;
    const app = server(async () => {
      calls += 1;
    });
    await Promise.all([1, 2, 3, 4].map(() => app.inject({ method: "GET", url: "/readyz" })));
    assert.equal(calls, 1);
  });

  it("reports a check that hangs as not ready within the timeout", async () => {
    const app = server(() => new Promise(() => undefined));
    const res = await app.inject({ method: "GET", url: "/readyz" });
    assert.equal(res.statusCode, 503);
    assert.match(res.json().checks.engine, /did not answer within 200 ms/);
  });

  it("writes a thrown HttpProblem as RFC 9457 problem+json with field errors and extension headers", async () => {
    const res = await server().inject({ method: "GET", url: "/v1/things/7" });
    assert.equal(res.statusCode, 409);
    assert.match(res.headers["content-type"] as string, /^application\/problem\+json/);
    assert.deepEqual(res.json(), {
      type: "urn:webhooks:problem:conflict",
      title: "Conflict",
      status: 409,
      detail: "thing 7 is busy",
      errors: [{ path: "/id", message: "busy" }],
    });
  });

  it("answers 404 problem+json for an unknown path and 405 with Allow for a known path with the wrong method", async () => {
    const app = server();
    const missing = await app.inject({ method: "GET", url: "/v1/nothing" });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.headers["content-type"] as string, /^application\/problem\+json/);
    assert.equal(missing.json().status, 404);

    const wrong = await app.inject({ method: "DELETE", url: "/v1/things/42" });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.headers.allow, "GET");
    assert.match(wrong.json().detail, /DELETE is not allowed on \/v1\/things\/42; allowed: GET/);
  });

  it("answers 413, 415 and 400 for an oversized body, another media type and malformed JSON, all as problem+json", async () => {
    const app = server();
    const big = await app.inject({ method: "POST", url: "/v1/things", headers: { "content-type": "application/json" }, payload: JSON.stringify({ x: "y".repeat(100) }) });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().status, 413);
    const xml = await app.inject({ method: "POST", url: "/v1/things", headers: { "content-type": "application/xml" }, payload: "<a/>" });
    assert.equal(xml.statusCode, 415);
    assert.match(xml.headers["content-type"] as string, /^application\/problem\+json/);
    const broken = await app.inject({ method: "POST", url: "/v1/things", headers: { "content-type": "application/json" }, payload: "{nope" });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().type, "urn:webhooks:problem:malformed-json");
  });

  it("hides internal error messages behind a 500 problem", async () => {
    const res = await server().inject({ method: "GET", url: "/v1/boom" });
    assert.equal(res.statusCode, 500);
    assert.doesNotMatch(res.body, /secret internals/);
    assert.equal(res.json().type, "urn:webhooks:problem:internal-error");
  });

  it("exposes default and per-route request metrics on /metrics", async () => {
    const app = server();
    await app.inject({ method: "GET", url: "/v1/things/1" });
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /process_cpu_seconds_total/);
    assert.match(res.body, /http_request_duration_seconds_count\{service="test",method="GET",route="\/v1\/things\/:id",status_code="409"\} 1/);
  });
});
