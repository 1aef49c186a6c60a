import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkCompatibility,
  diffSchemas,
  schemaFingerprint,
  validateDraft07Schema,
  type JsonSchema,
} from "../../model/compatibility";

/** A payment-like schema, open at the root, money closed; each test derives a next version from it. */
function base(): Record<string, any> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["id", "amount"],
    properties: {
      id: { type: "string", pattern: "^pay_[a-z0-9]+$" },
      amount: { type: "number", minimum: 0 },
      status: { type: "string", enum: ["pending", "settled"] },
      tags: { type: "array", items: { type: "string" }, maxItems: 10 },
      customer: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: { name: { type: "string", minLength: 1 }, email: { type: "string", format: "email" } },
      },
    },
  };
}

function change(mutate: (s: Record<string, any>) => void): Record<string, any> {
  const s = base();
  mutate(s);
  return s;
}

function messages(previous: JsonSchema, next: JsonSchema, mode: "BACKWARD" | "FORWARD" | "FULL" | "NONE"): string[] {
  return checkCompatibility(previous, next, mode).problems.map((p) => `${p.path}: ${p.message}`);
}

describe("checkCompatibility: properties and required", () => {
  const addedOptional = change((s) => (s.properties.note = { type: "string" }));
  const addedRequired = change((s) => {
    s.properties.note = { type: "string" };
    s.required.push("note");
  });

  it("accepts an added optional property under every mode, even with an open content model", () => {
    for (const mode of ["BACKWARD", "FORWARD", "FULL"] as const) {
      assert.deepEqual(checkCompatibility(base(), addedOptional, mode), { compatible: true, problems: [] }, mode);
    }
  });

  it("refuses under BACKWARD an added required property, naming it", () => {
    assert.deepEqual(messages(base(), addedRequired, "BACKWARD"), ["/required: required property 'note' added"]);
  });

  it("accepts under FORWARD an added required property (old readers ignore it)", () => {
    assert.equal(checkCompatibility(base(), addedRequired, "FORWARD").compatible, true);
  });

  it("refuses under FULL an added required property", () => {
    assert.deepEqual(messages(base(), addedRequired, "FULL"), ["/required: required property 'note' added"]);
  });

  it("refuses under BACKWARD an existing property becoming required", () => {
    const next = change((s) => s.required.push("status"));
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/required: property 'status' became required"]);
  });

  it("refuses under FORWARD removing a required property, and accepts it under BACKWARD", () => {
    const next = change((s) => {
      delete s.properties.amount;
      s.required = ["id"];
    });
    assert.deepEqual(messages(base(), next, "FORWARD"), ["/required: required property 'amount' removed"]);
    assert.equal(checkCompatibility(base(), next, "BACKWARD").compatible, true);
  });

  it("accepts removing an optional property from an open content model under FULL", () => {
    const next = change((s) => delete s.properties.status);
    assert.equal(checkCompatibility(base(), next, "FULL").compatible, true);
  });

  it("refuses under FORWARD a property that is no longer required", () => {
    const next = change((s) => (s.required = ["id"]));
    assert.deepEqual(messages(base(), next, "FORWARD"), ["/required: property 'amount' is no longer required"]);
    assert.equal(checkCompatibility(base(), next, "BACKWARD").compatible, true);
  });

  it("refuses under FORWARD a property added where additionalProperties was false", () => {
    const next = change((s) => (s.properties.customer.properties.phone = { type: "string" }));
    assert.deepEqual(messages(base(), next, "FORWARD"), [
      "/properties/customer/properties/phone: property 'phone' added, but the previous schema does not allow additional properties",
    ]);
    assert.equal(checkCompatibility(base(), next, "BACKWARD").compatible, true);
  });

  it("refuses under BACKWARD a property removed where additionalProperties is false", () => {
    const next = change((s) => delete s.properties.customer.properties.email);
    assert.deepEqual(messages(base(), next, "BACKWARD"), [
      "/properties/customer/properties/email: property 'email' removed, and additional properties are not allowed: data that has it is rejected",
    ]);
  });

  it("refuses under BACKWARD closing an open content model, and under FORWARD opening a closed one", () => {
    const closed = change((s) => (s.additionalProperties = false));
    assert.deepEqual(messages(base(), closed, "BACKWARD"), ["/additionalProperties: additional properties no longer allowed (additionalProperties false)"]);
    assert.deepEqual(messages(closed, base(), "FORWARD"), ["/additionalProperties: additional properties now allowed (additionalProperties was false)"]);
    assert.equal(checkCompatibility(closed, base(), "BACKWARD").compatible, true);
  });

  it("compares a property against the additionalProperties schema that governed it before", () => {
    const previous = { type: "object", additionalProperties: { type: "string" } };
    const next = { type: "object", properties: { code: { type: "string", maxLength: 3 } }, additionalProperties: { type: "string" } };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/properties/code/maxLength: maxLength 3 added"]);
  });
});

describe("checkCompatibility: types", () => {
  it("refuses under BACKWARD a type narrowed from number to integer", () => {
    const next = change((s) => (s.properties.amount.type = "integer"));
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/properties/amount/type: type narrowed from number to integer"]);
    assert.equal(checkCompatibility(base(), next, "FORWARD").compatible, true);
  });

  it("refuses under FORWARD a type widened to accept null, and accepts it under BACKWARD", () => {
    const next = change((s) => (s.properties.status.type = ["string", "null"]));
    assert.deepEqual(messages(base(), next, "FORWARD"), ["/properties/status/type: type widened from string to string | null"]);
    assert.equal(checkCompatibility(base(), next, "BACKWARD").compatible, true);
  });

  it("refuses both ways a type changed from string to number", () => {
    const next = change((s) => (s.properties.id = { type: "number" }));
    const problems = messages(base(), next, "FULL");
    assert.ok(problems.includes("/properties/id/type: type changed from string to number"), problems.join("\n"));
    assert.equal(checkCompatibility(base(), next, "BACKWARD").compatible, false);
    assert.equal(checkCompatibility(base(), next, "FORWARD").compatible, false);
  });

  it("accepts anything under NONE", () => {
    const next = change((s) => (s.properties.id = { type: "number" }));
    assert.deepEqual(checkCompatibility(base(), next, "NONE"), { compatible: true, problems: [] });
  });
});

describe("checkCompatibility: enum and const", () => {
  const widened = change((s) => s.properties.status.enum.push("refunded"));
  const narrowed = change((s) => (s.properties.status.enum = ["settled"]));

  it("accepts a widened enum under BACKWARD and refuses it under FORWARD, naming the value", () => {
    assert.equal(checkCompatibility(base(), widened, "BACKWARD").compatible, true);
    assert.deepEqual(messages(base(), widened, "FORWARD"), ["/properties/status/enum: enum widened: 'refunded' now allowed"]);
  });

  it("refuses a narrowed enum under BACKWARD, naming the removed value", () => {
    assert.deepEqual(messages(base(), narrowed, "BACKWARD"), ["/properties/status/enum: enum narrowed: 'pending' no longer allowed"]);
    assert.equal(checkCompatibility(base(), narrowed, "FORWARD").compatible, true);
  });

  it("refuses a changed const both ways", () => {
    assert.deepEqual(messages({ const: "v1" }, { const: "v2" }, "BACKWARD"), ["/const: const changed from 'v1' to 'v2'"]);
    assert.deepEqual(messages({ const: "v1" }, { const: "v2" }, "FORWARD"), ["/const: const changed from 'v1' to 'v2'"]);
  });
});

describe("checkCompatibility: strings, numbers, arrays", () => {
  it("refuses under BACKWARD a raised minLength and under FORWARD a lowered one", () => {
    const raised = change((s) => (s.properties.customer.properties.name.minLength = 3));
    assert.deepEqual(messages(base(), raised, "BACKWARD"), ["/properties/customer/properties/name/minLength: minLength raised from 1 to 3"]);
    assert.deepEqual(messages(raised, base(), "FORWARD"), ["/properties/customer/properties/name/minLength: minLength lowered from 3 to 1"]);
  });

  it("refuses a changed pattern both ways, since regexes are not compared for inclusion", () => {
    const next = change((s) => (s.properties.id.pattern = "^pay_[a-z0-9]{8}$"));
    const expected = ["/properties/id/pattern: pattern changed from '^pay_[a-z0-9]+$' to '^pay_[a-z0-9]{8}$'"];
    assert.deepEqual(messages(base(), next, "BACKWARD"), expected);
    assert.deepEqual(messages(base(), next, "FORWARD"), expected);
  });

  it("refuses an added format under BACKWARD and a removed one under FORWARD", () => {
    const added = change((s) => (s.properties.id.format = "uuid"));
    assert.deepEqual(messages(base(), added, "BACKWARD"), ["/properties/id/format: format 'uuid' added"]);
    assert.deepEqual(messages(added, base(), "FORWARD"), ["/properties/id/format: format 'uuid' removed"]);
  });

  it("treats exclusiveMinimum 0 as tighter than minimum 0", () => {
    const next = change((s) => {
      delete s.properties.amount.minimum;
      s.properties.amount.exclusiveMinimum = 0;
    });
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/properties/amount/minimum: minimum raised from >= 0 to > 0"]);
    assert.equal(checkCompatibility(base(), next, "FORWARD").compatible, true);
  });

  it("refuses an added maximum under BACKWARD", () => {
    const next = change((s) => (s.properties.amount.maximum = 1000000));
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/properties/amount/maximum: maximum <= 1000000 added"]);
  });

  it("accepts a multipleOf that divides the old one under BACKWARD only", () => {
    assert.equal(checkCompatibility({ multipleOf: 10 }, { multipleOf: 5 }, "BACKWARD").compatible, true);
    assert.deepEqual(messages({ multipleOf: 10 }, { multipleOf: 5 }, "FORWARD"), ["/multipleOf: multipleOf changed from 10 to 5"]);
  });

  it("refuses under BACKWARD a change of the array items' type, with the path into items", () => {
    const next = change((s) => (s.properties.tags.items = { type: "integer" }));
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/properties/tags/items/type: type changed from string to integer"]);
  });

  it("refuses under BACKWARD a lowered maxItems and uniqueItems added", () => {
    const next = change((s) => {
      s.properties.tags.maxItems = 5;
      s.properties.tags.uniqueItems = true;
    });
    assert.deepEqual(messages(base(), next, "BACKWARD"), [
      "/properties/tags/maxItems: maxItems lowered from 10 to 5",
      "/properties/tags/uniqueItems: items must now be unique (uniqueItems added)",
    ]);
    assert.equal(checkCompatibility(base(), next, "FORWARD").compatible, true);
  });
});

describe("checkCompatibility: nesting, $ref and combinators", () => {
  it("finds a break in a nested object", () => {
    const next = change((s) => s.properties.customer.required.push("email"));
    assert.deepEqual(messages(base(), next, "BACKWARD"), ["/properties/customer/required: property 'email' became required"]);
  });

  it("follows local $refs and reports the path inside the definition", () => {
    const previous = { definitions: { money: { type: "object", properties: { amount: { type: "number" } } } }, properties: { total: { $ref: "#/definitions/money" } } };
    const next = { definitions: { money: { type: "object", properties: { amount: { type: "integer" } } } }, properties: { total: { $ref: "#/definitions/money" } } };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/definitions/money/properties/amount/type: type narrowed from number to integer"]);
  });

  it("accepts inlining a $ref that points at an identical schema", () => {
    const previous = { definitions: { id: { type: "string", minLength: 1 } }, properties: { id: { $ref: "#/definitions/id" } } };
    const next = { properties: { id: { type: "string", minLength: 1 } } };
    assert.deepEqual(checkCompatibility(previous, next, "FULL"), { compatible: true, problems: [] });
  });

  it("terminates on recursive schemas and still finds a break inside them", () => {
    const tree = (leafType: string) => ({
      definitions: { node: { type: "object", properties: { value: { type: leafType }, children: { type: "array", items: { $ref: "#/definitions/node" } } } } },
      $ref: "#/definitions/node",
    });
    assert.deepEqual(checkCompatibility(tree("number"), tree("number"), "FULL").problems, []);
    assert.deepEqual(messages(tree("number"), tree("integer"), "BACKWARD"), ["/definitions/node/properties/value/type: type narrowed from number to integer"]);
  });

  it("terminates on recursion through anyOf", () => {
    const list = (valueType: string) => ({
      definitions: { node: { anyOf: [{ type: "null" }, { type: "object", properties: { value: { type: valueType }, next: { $ref: "#/definitions/node" } } }] } },
      $ref: "#/definitions/node",
    });
    assert.deepEqual(checkCompatibility(list("string"), list("string"), "FULL").problems, []);
    assert.equal(checkCompatibility(list("number"), list("integer"), "BACKWARD").compatible, false);
    assert.equal(checkCompatibility(list("number"), list("integer"), "FORWARD").compatible, true);
  });

  it("reports a $ref that does not resolve", () => {
    assert.deepEqual(messages({}, { $ref: "#/definitions/missing" }, "BACKWARD"), [
      ': cannot resolve $ref "#/definitions/missing" at /: only references within the schema (#/...) are supported',
    ]);
  });

  it("accepts an added anyOf branch under BACKWARD and refuses it under FORWARD", () => {
    const previous = { anyOf: [{ type: "string" }, { type: "integer" }] };
    const next = { anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] };
    assert.equal(checkCompatibility(previous, next, "BACKWARD").compatible, true);
    assert.deepEqual(messages(previous, next, "FORWARD"), ["/anyOf/2: anyOf branch 2 is new or wider than any previous branch"]);
  });

  it("refuses a removed anyOf branch under BACKWARD", () => {
    const previous = { anyOf: [{ type: "string" }, { type: "integer" }] };
    const next = { anyOf: [{ type: "string" }] };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/anyOf: anyOf branch 1 of the previous schema is not accepted by any branch of the new one"]);
  });

  it("refuses under BACKWARD a oneOf that gains a branch", () => {
    const previous = { oneOf: [{ type: "string" }] };
    const next = { oneOf: [{ type: "string" }, { type: "string", maxLength: 2 }] };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/oneOf: oneOf gained 1 branch(es): a value that matched exactly one branch may now match two"]);
  });

  it("accepts equal combinators and refuses a changed `not` both ways", () => {
    const s = { allOf: [{ type: "object" }, { required: ["a"] }], not: { type: "null" } };
    assert.deepEqual(checkCompatibility(s, structuredClone(s), "FULL"), { compatible: true, problems: [] });
    const next = { ...structuredClone(s), not: { type: "string" } };
    assert.equal(checkCompatibility(s, next, "BACKWARD").compatible, false);
    assert.equal(checkCompatibility(s, next, "FORWARD").compatible, false);
    assert.match(messages(s, next, "BACKWARD")[0]!, /^\/not: not changed; this checker compares it only for equality/);
  });

  it("ignores annotation changes (description, examples, title)", () => {
    const next = change((s) => {
      s.title = "renamed";
      s.properties.id.description = "the payment id";
      s.examples = [{ id: "pay_1", amount: 1 }];
    });
    assert.deepEqual(diffSchemas(base(), next), []);
  });
});

describe("checkCompatibility: less common keywords", () => {
  it("compares tuple items position by position and refuses a change of tuple length both ways", () => {
    assert.deepEqual(messages({ items: [{ type: "string" }, { type: "number" }] }, { items: [{ type: "string" }, { type: "integer" }] }, "BACKWARD"), [
      "/items/1/type: type narrowed from number to integer",
    ]);
    const longer = messages({ items: [{ type: "string" }] }, { items: [{ type: "string" }, { type: "string" }] }, "FULL");
    assert.deepEqual(longer, ["/items: items changed between a single schema and a tuple, or the tuple length changed"]);
  });

  it("refuses under BACKWARD items constrained where any item was allowed", () => {
    assert.deepEqual(messages({ type: "array" }, { type: "array", items: { type: "string" } }, "BACKWARD"), [
      "/items/type: type restricted to string (any type was allowed)",
    ]);
  });

  it("compares additionalProperties schemas recursively", () => {
    const previous = { type: "object", additionalProperties: { type: "string" } };
    const next = { type: "object", additionalProperties: { type: "string", maxLength: 10 } };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/additionalProperties/maxLength: maxLength 10 added"]);
    assert.equal(checkCompatibility(previous, next, "FORWARD").compatible, true);
  });

  it("compares a property moved from properties into additionalProperties against its new governing schema", () => {
    const previous = { type: "object", properties: { code: { type: "string" } }, additionalProperties: { type: "string" } };
    const next = { type: "object", additionalProperties: { type: "integer" } };
    assert.ok(messages(previous, next, "BACKWARD").includes("/additionalProperties/type: type changed from string to integer"));
  });

  it("compares patternProperties with the same pattern recursively, and refuses an added pattern both ways", () => {
    const previous = { patternProperties: { "^x-": { type: "string" } } };
    assert.deepEqual(messages(previous, { patternProperties: { "^x-": { type: "string", minLength: 2 } } }, "BACKWARD"), [
      "/patternProperties/^x-/minLength: minLength 2 added",
    ]);
    const added = { patternProperties: { "^x-": { type: "string" }, "^y-": { type: "string" } } };
    assert.equal(checkCompatibility(previous, added, "BACKWARD").compatible, false);
    assert.equal(checkCompatibility(previous, added, "FORWARD").compatible, false);
  });

  it("refuses under BACKWARD a raised minProperties and an added const", () => {
    assert.deepEqual(messages({ type: "object" }, { type: "object", minProperties: 1 }, "BACKWARD"), ["/minProperties: minProperties 1 added"]);
    assert.deepEqual(messages({ type: "string" }, { type: "string", const: "v1" }, "BACKWARD"), ["/const: values restricted to 'v1' (const added)"]);
  });

  it("refuses under BACKWARD an allOf branch that adds a constraint, and under FORWARD one that drops it", () => {
    const previous = { allOf: [{ type: "object" }] };
    const next = { allOf: [{ type: "object" }, { required: ["id"] }] };
    assert.deepEqual(messages(previous, next, "BACKWARD"), ["/allOf/1: allOf branch 1 is new or stricter than any previous branch"]);
    assert.equal(checkCompatibility(previous, next, "FORWARD").compatible, true);
    assert.deepEqual(messages(next, previous, "FORWARD"), ["/allOf: allOf branch 1 of the previous schema was removed or loosened"]);
  });

  it("treats a false schema as accepting nothing", () => {
    assert.deepEqual(messages({ properties: { a: { type: "string" } } }, { properties: { a: false } }, "BACKWARD"), [
      "/properties/a: schema now rejects every value (false)",
    ]);
    assert.deepEqual(messages({ properties: { a: false } }, { properties: { a: { type: "string" } } }, "FORWARD"), [
      "/properties/a: schema accepted no value (false) and now accepts values",
    ]);
    assert.equal(checkCompatibility({ properties: { a: false } }, { properties: { a: { type: "string" } } }, "BACKWARD").compatible, true);
  });

  it("compares contains in the same direction as the array", () => {
    assert.deepEqual(messages({ contains: { type: "number" } }, { contains: { type: "integer" } }, "BACKWARD"), [
      "/contains/type: type narrowed from number to integer",
    ]);
  });
});

describe("validateDraft07Schema", () => {
  it("accepts a draft-07 schema", () => {
    assert.deepEqual(validateDraft07Schema(base()), []);
  });

  it("names the keyword and the allowed values of an unknown type", () => {
    assert.deepEqual(validateDraft07Schema({ type: "strng" }), [
      { path: "/type", message: "must be equal to one of the allowed values (allowed: array, boolean, integer, null, number, object, string)" },
    ]);
  });

  it("refuses another draft named in $schema", () => {
    const problems = validateDraft07Schema({ $schema: "https://json-schema.org/draft/2020-12/schema" });
    assert.equal(problems[0]?.path, "/$schema");
    assert.match(problems[0]!.message, /only JSON Schema draft-07 is accepted/);
  });

  it("refuses a $ref that does not resolve within the schema, with its location", () => {
    assert.deepEqual(validateDraft07Schema({ properties: { a: { $ref: "#/definitions/nope" } } }), [
      { path: "/properties/a/$ref", message: 'cannot resolve "#/definitions/nope": only references within the schema (#/definitions/...) are supported' },
    ]);
  });

  it("refuses an invalid regular expression in pattern", () => {
    const problems = validateDraft07Schema({ type: "string", pattern: "([a-z]" });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /Invalid regular expression/);
  });

  it("refuses a non-object body", () => {
    assert.deepEqual(validateDraft07Schema([1, 2]), [{ path: "", message: "a schema must be a JSON object (or a boolean)" }]);
  });
});

describe("schemaFingerprint", () => {
  it("is equal for the same schema with keys in another order, and differs on any change", () => {
    const a = { type: "object", properties: { x: { type: "string", minLength: 1 } } };
    const b = { properties: { x: { minLength: 1, type: "string" } }, type: "object" };
    assert.equal(schemaFingerprint(a), schemaFingerprint(b));
    assert.match(schemaFingerprint(a), /^[0-9a-f]{64}$/);
    assert.notEqual(schemaFingerprint(a), schemaFingerprint({ ...a, required: ["x"] }));
  });
});
