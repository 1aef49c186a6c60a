import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkContracts } from "../../model/contract-check";
import { defaultContractsDir, loadContracts } from "../../model/contracts";

describe("contracts/", () => {
  it("every version is valid draft-07, every example validates, and every version is compatible with all earlier ones", () => {
    const findings = checkContracts();
    assert.deepEqual(findings.map((f) => f.message), []);
  });

  it("holds orders and payments events with at least one evolved version and one non-default mode", () => {
    const contracts = loadContracts();
    const types = contracts.map((c) => c.type);
    for (const t of ["orders.created", "orders.cancelled", "payments.settled", "payments.refunded"]) assert.ok(types.includes(t), `missing ${t}`);
    assert.ok(contracts.some((c) => c.versions.length > 1), "no contract has a v2");
    assert.equal(contracts.find((c) => c.type === "payments.settled")?.compatibility, "FULL");
    for (const c of contracts) {
      for (const v of c.versions) assert.equal(v.schema.$schema, "http://json-schema.org/draft-07/schema#", v.file);
    }
  });
});

describe("the contracts check on a copy with a deliberate fault", () => {
  let dir: string;
  const write = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, any>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "contracts-check-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fresh = () => {
    rmSync(dir, { recursive: true, force: true });
    cpSync(defaultContractsDir, dir, { recursive: true });
  };

  it("fails on a v3 that adds a required property, naming the file, the mode and the property", () => {
    fresh();
    const v3 = read("orders/created/v2.json");
    v3.properties.giftWrap = { type: "boolean" };
    v3.required.push("giftWrap");
    write("orders/created/v3.json", v3);
    const messages = checkContracts(dir).map((f) => f.message);
    assert.ok(messages.length > 0, "a breaking v3 passed the check");
    assert.ok(
      messages.includes("contracts/orders/created/v3.json: breaks BACKWARD compatibility of orders.created against v2: /required: required property 'giftWrap' added"),
      messages.join("\n"),
    );
  });

  it("fails under FULL on a v3 that widens an enum, which BACKWARD would allow", () => {
    fresh();
    const v3 = read("payments/settled/v2.json");
    v3.properties.method.enum.push("crypto");
    write("payments/settled/v3.json", v3);
    const messages = checkContracts(dir).map((f) => f.message);
    assert.deepEqual(messages, [
      "contracts/payments/settled/v3.json: breaks FULL compatibility of payments.settled against v1: /properties/method/enum: enum widened: 'crypto' now allowed",
      "contracts/payments/settled/v3.json: breaks FULL compatibility of payments.settled against v2: /properties/method/enum: enum widened: 'crypto' now allowed",
    ]);
  });

  it("fails on an example that does not match its schema", () => {
    fresh();
    const v1 = read("payments/refunded/v1.json");
    v1.examples[0].amount.amount = 19.99;
    write("payments/refunded/v1.json", v1);
    assert.deepEqual(checkContracts(dir).map((f) => f.message), [
      "contracts/payments/refunded/v1.json: examples[0] of payments.refunded does not validate: /amount/amount must be integer",
    ]);
  });

  it("fails on a version that is not valid draft-07", () => {
    fresh();
    const v1 = read("orders/cancelled/v1.json");
    v1.properties.reason.type = "enum";
    write("orders/cancelled/v1.json", v1);
    const messages = checkContracts(dir).map((f) => f.message);
    assert.equal(messages.length, 1, messages.join("\n"));
    assert.match(messages[0]!, /^contracts\/orders\/cancelled\/v1\.json: not a valid JSON Schema draft-07: \/properties\/reason\/type must be equal to one of the allowed values/);
  });
});
