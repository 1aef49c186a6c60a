import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, commonEnv, readEnv, vars } from "../../../apps/shared/config";

const spec = {
  ...commonEnv,
  PORT: vars.port("gateway"),
  KAFKA_INGRESS_BROKERS: vars.brokers,
  IDEMPOTENCY_TTL_HOURS: vars.integer(24, 72, 48),
  DELIVERY_ALLOW_PRIVATE_TARGETS: vars.boolean(false),
};

function faults(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readEnv(spec, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err;
  }
  assert.fail("expected a ConfigError");
}

describe("service configuration from the environment", () => {
  it("applies the documented defaults when only the required variables are set", () => {
    const config = readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092" });
    assert.equal(config.PORT, 8080);
    assert.equal(config.LOG_LEVEL, "info");
    assert.equal(config.AWS_REGION, "us-east-1");
    assert.equal(config.KAFKA_AUTH, "none");
    assert.equal(config.TABLE_PREFIX, "");
    assert.equal(config.DYNAMODB_ENDPOINT, undefined);
    assert.equal(config.IDEMPOTENCY_TTL_HOURS, 48);
    assert.equal(config.DELIVERY_ALLOW_PRIVATE_TARGETS, false);
    assert.deepEqual(config.KAFKA_INGRESS_BROKERS, ["127.0.0.1:9092"]);
  });

  it("splits a comma-separated broker list and parses numbers and booleans", () => {
    const config = readEnv(spec, {
      KAFKA_INGRESS_BROKERS: "b-1.msk:9098, b-2.msk:9098",
      PORT: "0",
      IDEMPOTENCY_TTL_HOURS: "72",
      DELIVERY_ALLOW_PRIVATE_TARGETS: "true",
      KAFKA_AUTH: "aws-iam",
    });
    assert.deepEqual(config.KAFKA_INGRESS_BROKERS, ["b-1.msk:9098", "b-2.msk:9098"]);
    assert.equal(config.PORT, 0);
    assert.equal(config.IDEMPOTENCY_TTL_HOURS, 72);
    assert.equal(config.DELIVERY_ALLOW_PRIVATE_TARGETS, true);
    assert.equal(config.KAFKA_AUTH, "aws-iam");
  });

  it("names a missing required variable and what it should hold", () => {
    const err = faults({});
    assert.deepEqual(err.problems.map((p) => p.variable), ["KAFKA_INGRESS_BROKERS"]);
    assert.match(err.message, /KAFKA_INGRESS_BROKERS: is required: a comma-separated list of host:port/);
  });

  it("names every invalid variable at once, with the value and what is allowed", () => {
    const err = faults({
      KAFKA_INGRESS_BROKERS: "localhost",
      KAFKA_AUTH: "scram",
      IDEMPOTENCY_TTL_HOURS: "100",
      PORT: "http",
      DYNAMODB_ENDPOINT: "not a url",
      DELIVERY_ALLOW_PRIVATE_TARGETS: "yes",
    });
    const byName = new Map(err.problems.map((p) => [p.variable, p.message]));
    assert.deepEqual([...byName.keys()].sort(), ["DELIVERY_ALLOW_PRIVATE_TARGETS", "DYNAMODB_ENDPOINT", "IDEMPOTENCY_TTL_HOURS", "KAFKA_AUTH", "KAFKA_INGRESS_BROKERS", "PORT"]);
    assert.match(byName.get("KAFKA_AUTH")!, /"scram" is not allowed .*none .* or aws-iam/);
    assert.match(byName.get("IDEMPOTENCY_TTL_HOURS")!, /"100" is not allowed \(above 72\); expected a whole number 24\.\.72/);
    assert.match(byName.get("KAFKA_INGRESS_BROKERS")!, /each broker must be host:port/);
    assert.match(byName.get("PORT")!, /not a whole number/);
    assert.match(byName.get("DELIVERY_ALLOW_PRIVATE_TARGETS")!, /true or false/);
  });

  it("leaves DYNAMODB_GROUP_COMMIT off unless it is true, and names the key when it is neither true nor false", () => {
    assert.equal(readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092" }).DYNAMODB_GROUP_COMMIT, false);
    assert.equal(readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", DYNAMODB_GROUP_COMMIT: "true" }).DYNAMODB_GROUP_COMMIT, true);
    assert.match(faults({ KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", DYNAMODB_GROUP_COMMIT: "on" }).message, /DYNAMODB_GROUP_COMMIT.*true or false/s);
  });

  it("takes OTEL_EXPORTER_OTLP_ENDPOINT as an http(s) URL and leaves tracing off when it is unset", () => {
    assert.equal(readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092" }).OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    const config = readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc.cluster.local:4318", OTEL_SERVICE_NAME: "gateway" });
    assert.equal(config.OTEL_EXPORTER_OTLP_ENDPOINT, "http://otel-collector.observability.svc.cluster.local:4318");
    assert.equal(config.OTEL_SERVICE_NAME, "gateway");
    for (const bad of ["otel-collector:4318", "grpc://otel-collector:4317", "not a url"]) {
      const err = faults({ KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", OTEL_EXPORTER_OTLP_ENDPOINT: bad });
      assert.deepEqual(err.problems.map((p) => p.variable), ["OTEL_EXPORTER_OTLP_ENDPOINT"]);
      assert.match(err.message, /OTEL_EXPORTER_OTLP_ENDPOINT: ".*" is not allowed \(not an absolute http\(s\) URL\); expected the OTLP\/HTTP endpoint/);
    }
  });

  it("treats an empty variable as unset", () => {
    const config = readEnv(spec, { KAFKA_INGRESS_BROKERS: "127.0.0.1:9092", LOG_LEVEL: "", TABLE_PREFIX: "" });
    assert.equal(config.LOG_LEVEL, "info");
    assert.equal(config.TABLE_PREFIX, "");
  });
});
