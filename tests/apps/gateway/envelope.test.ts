import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseEnvelope } from "../../../apps/gateway/envelope";

const valid = { specversion: "1.0", id: "e-1", source: "/orders", type: "orders.created", data: { a: 1 } };

function paths(input: unknown, prefix = ""): string[] {
  const result = parseEnvelope(input, prefix);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors.map((e) => e.path).sort();
}

describe("CloudEvents 1.0 structured envelope", () => {
  it("accepts a minimal event; the key is source; no dataversion means latest", () => {
    const result = parseEnvelope(valid);
    assert.ok(result.ok);
    assert.deepEqual(result.parsed.eventType, { domain: "orders", event: "created" });
    assert.equal(result.parsed.partitionKey, "/orders");
    assert.equal(result.parsed.requestedVersion, undefined);
    assert.equal(result.parsed.event, valid);
  });

  it("takes dataversion as the requested schema version and partitionkey as the key", () => {
    const result = parseEnvelope({ ...valid, dataversion: 2, partitionkey: "cust-1", time: "2026-01-31T12:00:00.123+01:00", subject: "o-1", dataschema: "https://schemas.example/orders/created/2" });
    assert.ok(result.ok);
    assert.equal(result.parsed.requestedVersion, 2);
    assert.equal(result.parsed.partitionKey, "cust-1");
  });

  it("names every missing required attribute", () => {
    assert.deepEqual(paths({ data: {} }), ["/id", "/source", "/specversion", "/type"]);
  });

  it("refuses a type that is not {domain}.{event}, with a message saying the form", () => {
    for (const type of ["orders", "Orders.Created", "a.b.c", "orders.created "]) {
      const result = parseEnvelope({ ...valid, type });
      assert.ok(!result.ok);
      assert.equal(result.errors[0]!.path, "/type");
      assert.match(result.errors[0]!.message, /\{domain\}\.\{event\}/);
    }
  });

  it("refuses a time that is not RFC 3339, a dataversion that is not a positive integer and binary data", () => {
    assert.deepEqual(paths({ ...valid, time: "31/01/2026" }), ["/time"]);
    assert.deepEqual(paths({ ...valid, dataversion: 0 }), ["/dataversion"]);
    assert.deepEqual(paths({ ...valid, dataversion: 1.5 }), ["/dataversion"]);
    assert.deepEqual(paths({ ...valid, data_base64: "AAAA" }), ["/data_base64"]);
    assert.deepEqual(paths({ ...valid, datacontenttype: "text/plain" }), ["/datacontenttype"]);
  });

  it("refuses extension attributes with invalid names or non-scalar values", () => {
    assert.deepEqual(paths({ ...valid, Tenant_Id: "x" }), ["/Tenant_Id"]);
    assert.deepEqual(paths({ ...valid, tenant: { id: 1 } }), ["/tenant"]);
    assert.ok(parseEnvelope({ ...valid, tenant: "t-1", priority: 3, replay: false }).ok);
  });

  it("prefixes paths with the batch index", () => {
    assert.deepEqual(paths({ ...valid, id: "" }, "/3"), ["/3/id"]);
    assert.deepEqual(paths("a string", "/1"), ["/1"]);
  });
});
