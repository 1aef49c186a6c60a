import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { readDispatcherEnv } from "../../../apps/dispatcher/config";
import { readProcessorEnv } from "../../../apps/processor/config";
import { ConfigError } from "../../../apps/shared/config";

const root = resolve(__dirname, "..", "..", "..");
const base = { KAFKA_EGRESS_BROKERS: "127.0.0.1:9092" };

describe("dispatcher configuration", () => {
  it("applies the documented defaults", () => {
    const env = readDispatcherEnv(base);
    assert.deepEqual(env.DELIVERY_RETRY_SCHEDULE.tiers.map((t) => t.label), ["5s", "5m", "30m", "2h", "5h", "10h", "10h"]);
    assert.deepEqual(
      [env.DELIVERY_TIMEOUT_MS, env.DELIVERY_ALLOW_PRIVATE_TARGETS, env.CIRCUIT_BREAKER_THRESHOLD, env.CIRCUIT_BREAKER_HALF_OPEN_MS, env.DELIVERY_CONCURRENCY, env.PORT],
      [15000, false, 10, 30000, 16, 8083],
    );
  });

  it("reads a short schedule for local runs", () => {
    assert.deepEqual(readDispatcherEnv({ ...base, DELIVERY_RETRY_SCHEDULE: "1s,2s,4s" }).DELIVERY_RETRY_SCHEDULE.tiers.map((t) => t.delayMs), [1000, 2000, 4000]);
  });

  it("rejects a bad schedule naming the variable and the entry", () => {
    assert.throws(
      () => readDispatcherEnv({ ...base, DELIVERY_RETRY_SCHEDULE: "5s,soon" }),
      (err: Error) => err instanceof ConfigError && /DELIVERY_RETRY_SCHEDULE: "5s,soon" is not allowed \("soon" \(position 2\) is not a delay/.test(err.message),
    );
  });

  it("collects every bad variable in one error", () => {
    assert.throws(
      () => readDispatcherEnv({ DELIVERY_TIMEOUT_MS: "fast", DELIVERY_ALLOW_PRIVATE_TARGETS: "yes" }),
      (err: Error) =>
        err instanceof ConfigError &&
        ["KAFKA_EGRESS_BROKERS: is required", "DELIVERY_TIMEOUT_MS", "DELIVERY_ALLOW_PRIVATE_TARGETS"].every((s) => err.message.includes(s)),
    );
  });

  it("stops the service with exit code 1 and the variable named when the configuration is bad", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "apps/dispatcher/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH, KAFKA_EGRESS_BROKERS: "127.0.0.1:9092", DELIVERY_RETRY_SCHEDULE: "0s" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /DELIVERY_RETRY_SCHEDULE: "0s" is not allowed .*must be greater than zero/);
  });
});

describe("processor configuration", () => {
  it("requires both broker lists and defaults the cache and refresh intervals", () => {
    assert.throws(() => readProcessorEnv({}), /KAFKA_INGRESS_BROKERS: is required[\s\S]*KAFKA_EGRESS_BROKERS: is required/);
    const env = readProcessorEnv({ KAFKA_INGRESS_BROKERS: "a:1", KAFKA_EGRESS_BROKERS: "b:2" });
    assert.deepEqual([env.SUBSCRIPTION_CACHE_TTL_MS, env.TOPIC_REFRESH_MS, env.PORT, env.LISTEN_HOST], [5000, 10000, 8082, "0.0.0.0"]);
  });

  it("stops the service with exit code 1 naming a missing broker list", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "apps/processor/main.ts"], { cwd: root, env: { PATH: process.env.PATH, KAFKA_INGRESS_BROKERS: "127.0.0.1:9092" }, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /KAFKA_EGRESS_BROKERS: is required/);
  });
});
