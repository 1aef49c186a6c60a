import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kafkaConfig } from "../../../apps/shared/kafka";

describe("Kafka client configuration", () => {
  it("uses plaintext without SASL when KAFKA_AUTH is none (loopback)", () => {
    const config = kafkaConfig({ clientId: "t", brokers: ["127.0.0.1:9092"], auth: "none", region: "us-east-1" });
    assert.equal(config.ssl, undefined);
    assert.equal(config.sasl, undefined);
    assert.deepEqual(config.brokers, ["127.0.0.1:9092"]);
  });

  it("uses TLS and SASL OAUTHBEARER with a token from the MSK IAM signer when KAFKA_AUTH is aws-iam", async () => {
    const config = kafkaConfig({ clientId: "t", brokers: ["b-1.example:9098"], auth: "aws-iam", region: "eu-west-1" });
    assert.equal(config.ssl, true);
    assert.ok(config.sasl && config.sasl.mechanism === "oauthbearer" && "oauthBearerProvider" in config.sasl);
    const provider = config.sasl.oauthBearerProvider as () => Promise<{ value: string }>;

    // The signer signs locally with the default credential chain; static credentials in the
    // environment are enough to produce a real token (no network call is made).
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "secret-for-signing-only";
    try {
      const { value } = await provider();
      const signed = new URL(Buffer.from(value, "base64url").toString("utf8"));
      assert.equal(signed.hostname, "kafka.eu-west-1.amazonaws.com");
      assert.equal(signed.searchParams.get("Action"), "kafka-cluster:Connect");
      assert.match(signed.searchParams.get("X-Amz-Credential") ?? "", /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
      assert.match(signed.searchParams.get("X-Amz-Signature") ?? "", /^[0-9a-f]{64}$/);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
