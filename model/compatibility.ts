// Compatibility between two versions of a JSON Schema draft-07: the rule the schema registry
// (local and Glue), the admin API (409) and the contracts test apply alike.
//
// Modes
// - BACKWARD: consumers using the NEW schema can read data written with the OLD one, i.e. every
//   document the old schema accepts, the new one accepts (for declared properties, see below).
// - FORWARD: consumers using the OLD schema can read data written with the NEW one: every
//   document the new schema accepts, the old one accepts.
// - FULL: both. NONE: anything goes.
//
// How: a structural, rule-based diff. Each change found between the two schemas is classed as
// narrowing (the new schema rejects some value the old one accepted: breaks BACKWARD), widening
// (the new schema accepts some value the old one rejected: breaks FORWARD), or both. A mode then
// keeps the changes that break it. No library does this for draft-07 (json-schema-diff reports
// added/removed value sets, not named breaks, and is unmaintained; jsoncompat is 2020-12 only).
//
// Decisions (where "every document" is too strict to be useful, or undecidable):
// - Properties not declared in a schema carry no data: producers put data only in declared
//   properties. So adding an OPTIONAL property is compatible both ways even under an open content
//   model (additionalProperties absent or true); removing a property from an open model is
//   compatible unless it was required (then FORWARD breaks: old consumers expect it).
// - Adding a REQUIRED property breaks BACKWARD; making an existing property required breaks
//   BACKWARD; dropping a property from `required` breaks FORWARD.
// - Under a closed model (additionalProperties false): adding a property breaks FORWARD (old
//   consumers reject it); removing one breaks BACKWARD (new consumers reject old data that has it).
// - additionalProperties true -> false (or -> a schema) breaks BACKWARD; false -> true breaks
//   FORWARD; schema -> schema is compared recursively.
// - `type`: "integer" is a subset of "number"; absent means any type. Narrowed breaks BACKWARD,
//   widened breaks FORWARD, changed (neither contains the other) breaks both.
// - `enum` / `const` (a const is a one-value enum): a removed value breaks BACKWARD, an added value
//   breaks FORWARD; adding an enum narrows, removing it widens.
// - Bounds (minimum/maximum/exclusive*, minLength/maxLength, minItems/maxItems,
//   minProperties/maxProperties): tightening breaks BACKWARD, loosening breaks FORWARD.
// - multipleOf: the new one must divide the old one (BACKWARD), and the reverse (FORWARD).
// - `pattern`: regexes are not compared for inclusion: any change breaks both ways; added
//   narrows, removed widens. `format` likewise (added narrows, removed widens, changed both).
// - uniqueItems false -> true narrows, true -> false widens. `items` (one schema) and `contains`
//   are compared recursively; tuple `items` are compared position by position.
// - `$ref` to `#/...` is resolved within its own document (recursion is followed once per pair of
//   locations); siblings of `$ref` are ignored, as draft-07 says.
// - anyOf/oneOf: each old branch must be accepted by some new branch (else BACKWARD breaks), each
//   new branch must be accepted by some old branch (else FORWARD breaks); a oneOf that gains
//   branches also breaks BACKWARD, since a value may now match two. allOf: each new branch must be
//   implied by some old branch (BACKWARD) and vice versa (FORWARD).
// - not, if/then/else, dependencies, additionalItems and tuple length changes are compared only
//   for equality: any change is reported as breaking both ways.
// - Annotations (title, description, examples, default, $comment, readOnly, ...) never matter.
// Problems carry a JSON pointer into the NEW schema (where the break is, or where the removed
// thing was) and a sentence that names the break.

import type { CompatibilityMode } from "./contracts";
import {
  canonicalJson,
  isPlainObject,
  pointer,
  resolveLocalRef,
  type JsonSchema,
  type SchemaProblem,
} from "./json-schema-document";

export { canonicalJson, schemaFingerprint, validateDraft07Schema, type JsonSchema, type SchemaProblem } from "./json-schema-document";

/** Which compatibility a change breaks. */
export type BrokenDirection = "backward" | "forward";

export interface SchemaChange extends SchemaProblem {
  readonly breaks: readonly BrokenDirection[];
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly problems: SchemaProblem[];
}

const NARROWS: readonly BrokenDirection[] = ["backward"];
const WIDENS: readonly BrokenDirection[] = ["forward"];
const BOTH: readonly BrokenDirection[] = ["backward", "forward"];

const directionsOf: Readonly<Record<CompatibilityMode, readonly BrokenDirection[]>> = {
  BACKWARD: NARROWS,
  FORWARD: WIDENS,
  FULL: BOTH,
  NONE: [],
};

/** Whether `next` may follow `previous` under `mode`, with every break named. */
export function checkCompatibility(previous: JsonSchema, next: JsonSchema, mode: CompatibilityMode): CompatibilityResult {
  const relevant = directionsOf[mode];
  if (relevant.length === 0) return { compatible: true, problems: [] };
  const problems = diffSchemas(previous, next)
    .filter((c) => c.breaks.some((d) => relevant.includes(d)))
    .map(({ path, message }) => ({ path, message }));
  return { compatible: problems.length === 0, problems };
}

/** Every change between two schemas that can break a reader, classed by what it breaks. */
export function diffSchemas(previous: JsonSchema, next: JsonSchema): SchemaChange[] {
  const differ = new SchemaDiffer(previous, next);
  differ.compare({ node: previous, at: "" }, { node: next, at: "" }, "");
  return differ.changes;
}

// ---------------------------------------------------------------------------------------------

/** A schema node and its pointer in its own document. */
interface Located {
  readonly node: JsonSchema;
  readonly at: string;
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

function listOf(values: readonly unknown[]): string {
  return values.map(show).join(", ");
}

function typesOf(schema: Record<string, unknown>): string[] | undefined {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return undefined;
}

function typeCovers(types: readonly string[], t: string): boolean {
  return types.includes(t) || (t === "integer" && types.includes("number"));
}

function allowedValues(schema: Record<string, unknown>): unknown[] | undefined {
  if (Object.hasOwn(schema, "const")) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : undefined;
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

function lowerBound(schema: Record<string, unknown>, inclusiveKey: string, exclusiveKey?: string): Bound | undefined {
  const inc = typeof schema[inclusiveKey] === "number" ? (schema[inclusiveKey] as number) : undefined;
  const exc = exclusiveKey && typeof schema[exclusiveKey] === "number" ? (schema[exclusiveKey] as number) : undefined;
  if (inc === undefined && exc === undefined) return undefined;
  if (exc === undefined || (inc !== undefined && inc > exc)) return { value: inc as number, exclusive: false };
  return { value: exc, exclusive: true };
}

function upperBound(schema: Record<string, unknown>, inclusiveKey: string, exclusiveKey?: string): Bound | undefined {
  const inc = typeof schema[inclusiveKey] === "number" ? (schema[inclusiveKey] as number) : undefined;
  const exc = exclusiveKey && typeof schema[exclusiveKey] === "number" ? (schema[exclusiveKey] as number) : undefined;
  if (inc === undefined && exc === undefined) return undefined;
  if (exc === undefined || (inc !== undefined && inc < exc)) return { value: inc as number, exclusive: false };
  return { value: exc, exclusive: true };
}

/** -1 when a is tighter than b, 1 when looser, 0 when equal. For a lower bound, tighter = higher. */
function compareLower(a: Bound, b: Bound): number {
  if (a.value !== b.value) return a.value > b.value ? -1 : 1;
  if (a.exclusive === b.exclusive) return 0;
  return a.exclusive ? -1 : 1;
}

function compareUpper(a: Bound, b: Bound): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  if (a.exclusive === b.exclusive) return 0;
  return a.exclusive ? -1 : 1;
}

function isMultiple(of: number, divisor: number): boolean {
  const ratio = of / divisor;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

/** What decides the value of one named property on one side. */
type PropertyRule =
  /** `via`: where the governing schema sits relative to the object schema, e.g. ["properties", "id"]. */
  | { kind: "schema"; schema: Located; via: string[] }
  /** Not declared, open content model: any value, treated as carrying no data. */
  | { kind: "open" }
  /** Not declared, additionalProperties false. */
  | { kind: "forbidden" };

class SchemaDiffer {
  readonly changes: SchemaChange[] = [];
  /** Pairs of locations already compared (or being compared): recursion through $ref stops here. */
  private readonly visited: Set<string>;

  constructor(
    private readonly previousRoot: JsonSchema,
    private readonly nextRoot: JsonSchema,
    visited: ReadonlySet<string> = new Set(),
  ) {
    this.visited = new Set(visited);
  }

  private report(path: string, message: string, breaks: readonly BrokenDirection[]): void {
    this.changes.push({ path, message, breaks });
  }

  /** The changes between two sub-schemas, without recording them here. */
  private probe(previous: Located, next: Located, path: string): SchemaChange[] {
    // The probe inherits the pairs under comparison, so recursion through anyOf/oneOf/allOf ends too.
    const sub = new SchemaDiffer(this.previousRoot, this.nextRoot, this.visited);
    sub.compare(previous, next, path);
    return sub.changes;
  }

  private resolve(side: Located, root: JsonSchema, path: string): Located | undefined {
    let current = side;
    const seen = new Set<string>();
    while (isPlainObject(current.node) && typeof current.node.$ref === "string") {
      const ref = current.node.$ref;
      const found = resolveLocalRef(root, ref);
      if (!found) {
        this.report(path, `cannot resolve $ref "${ref}" at ${current.at || "/"}: only references within the schema (#/...) are supported`, BOTH);
        return undefined;
      }
      if (seen.has(found.pointer)) {
        this.report(path, `$ref "${ref}" at ${current.at || "/"} refers to itself`, BOTH);
        return undefined;
      }
      seen.add(found.pointer);
      current = { node: found.target, at: found.pointer };
    }
    return current;
  }

  compare(previousIn: Located, nextIn: Located, pathIn: string): void {
    const previous = this.resolve(previousIn, this.previousRoot, pathIn);
    const next = this.resolve(nextIn, this.nextRoot, pathIn);
    if (!previous || !next) return;
    // Report where the thing is in the new document, following its $refs.
    const path = nextIn.node !== next.node ? next.at : pathIn;

    const key = `${previous.at}|${next.at}|${path}`;
    const viaRef = previousIn.node !== previous.node || nextIn.node !== next.node;
    if (viaRef) {
      if (this.visited.has(key)) return;
      this.visited.add(key);
    }

    if (previous.node === false) {
      if (next.node !== false) this.report(path, "schema accepted no value (false) and now accepts values", WIDENS);
      return;
    }
    if (next.node === false) {
      this.report(path, "schema now rejects every value (false)", NARROWS);
      return;
    }
    const o = previous.node === true ? {} : previous.node;
    const n = next.node === true ? {} : next.node;
    const p: Located = { node: o, at: previous.at };
    const q: Located = { node: n, at: next.at };

    this.compareTypes(o, n, path);
    this.compareValues(o, n, path);
    this.compareNumbers(o, n, path);
    this.compareStrings(o, n, path);
    this.compareArrays(p, q, path);
    this.compareObjects(p, q, path);
    this.compareCombinators(p, q, path);
    this.compareOpaque(p, q, path);
  }

  private compareTypes(o: Record<string, unknown>, n: Record<string, unknown>, path: string): void {
    const before = typesOf(o);
    const after = typesOf(n);
    const at = pointer(path, "type");
    if (!before && !after) return;
    if (!before && after) {
      this.report(at, `type restricted to ${after.join(" | ")} (any type was allowed)`, NARROWS);
      return;
    }
    if (before && !after) {
      this.report(at, `type no longer restricted (was ${before.join(" | ")})`, WIDENS);
      return;
    }
    const b = before as string[];
    const a = after as string[];
    const lost = b.some((t) => !typeCovers(a, t));
    const gained = a.some((t) => !typeCovers(b, t));
    const from = b.join(" | ");
    const to = a.join(" | ");
    if (lost && gained) this.report(at, `type changed from ${from} to ${to}`, BOTH);
    else if (lost) this.report(at, `type narrowed from ${from} to ${to}`, NARROWS);
    else if (gained) this.report(at, `type widened from ${from} to ${to}`, WIDENS);
  }

  private compareValues(o: Record<string, unknown>, n: Record<string, unknown>, path: string): void {
    const before = allowedValues(o);
    const after = allowedValues(n);
    const keyword = Object.hasOwn(n, "const") || (!after && Object.hasOwn(o, "const")) ? "const" : "enum";
    const at = pointer(path, keyword);
    if (!before && !after) return;
    if (!before && after) {
      this.report(at, `values restricted to ${listOf(after)} (${keyword} added)`, NARROWS);
      return;
    }
    if (before && !after) {
      this.report(at, `${keyword} removed: values no longer restricted to ${listOf(before)}`, WIDENS);
      return;
    }
    const b = before as unknown[];
    const a = after as unknown[];
    const bKeys = new Set(b.map(canonicalJson));
    const aKeys = new Set(a.map(canonicalJson));
    const removed = b.filter((v) => !aKeys.has(canonicalJson(v)));
    const added = a.filter((v) => !bKeys.has(canonicalJson(v)));
    if (Object.hasOwn(o, "const") && Object.hasOwn(n, "const") && removed.length > 0) {
      this.report(at, `const changed from ${show(o.const)} to ${show(n.const)}`, BOTH);
      return;
    }
    if (removed.length > 0) this.report(at, `${keyword} narrowed: ${listOf(removed)} no longer allowed`, NARROWS);
    if (added.length > 0) this.report(at, `${keyword} widened: ${listOf(added)} now allowed`, WIDENS);
  }

  private compareBound(
    path: string,
    name: string,
    before: Bound | undefined,
    after: Bound | undefined,
    lower: boolean,
  ): void {
    const fmt = (b: Bound) => (name === "minimum" || name === "maximum" ? `${lower ? (b.exclusive ? ">" : ">=") : b.exclusive ? "<" : "<="} ${b.value}` : String(b.value));
    const at = pointer(path, name);
    if (!before && !after) return;
    if (!before && after) return this.report(at, `${name} ${fmt(after)} added`, NARROWS);
    if (before && !after) return this.report(at, `${name} ${fmt(before)} removed`, WIDENS);
    const b = before as Bound;
    const a = after as Bound;
    const order = lower ? compareLower(a, b) : compareUpper(a, b);
    if (order === 0) return;
    const tighter = order < 0;
    const verb = lower === tighter ? "raised" : "lowered";
    this.report(at, `${name} ${verb} from ${fmt(b)} to ${fmt(a)}`, tighter ? NARROWS : WIDENS);
  }

  private compareNumbers(o: Record<string, unknown>, n: Record<string, unknown>, path: string): void {
    this.compareBound(path, "minimum", lowerBound(o, "minimum", "exclusiveMinimum"), lowerBound(n, "minimum", "exclusiveMinimum"), true);
    this.compareBound(path, "maximum", upperBound(o, "maximum", "exclusiveMaximum"), upperBound(n, "maximum", "exclusiveMaximum"), false);
    const before = typeof o.multipleOf === "number" ? o.multipleOf : undefined;
    const after = typeof n.multipleOf === "number" ? n.multipleOf : undefined;
    const at = pointer(path, "multipleOf");
    if (before === undefined && after !== undefined) this.report(at, `multipleOf ${after} added`, NARROWS);
    else if (before !== undefined && after === undefined) this.report(at, `multipleOf ${before} removed`, WIDENS);
    else if (before !== undefined && after !== undefined && before !== after) {
      const breaks: BrokenDirection[] = [];
      if (!isMultiple(before, after)) breaks.push("backward");
      if (!isMultiple(after, before)) breaks.push("forward");
      if (breaks.length > 0) this.report(at, `multipleOf changed from ${before} to ${after}`, breaks);
    }
  }

  private compareStrings(o: Record<string, unknown>, n: Record<string, unknown>, path: string): void {
    this.compareBound(path, "minLength", lowerBound(o, "minLength"), lowerBound(n, "minLength"), true);
    this.compareBound(path, "maxLength", upperBound(o, "maxLength"), upperBound(n, "maxLength"), false);
    for (const keyword of ["pattern", "format"] as const) {
      const before = typeof o[keyword] === "string" ? (o[keyword] as string) : undefined;
      const after = typeof n[keyword] === "string" ? (n[keyword] as string) : undefined;
      const at = pointer(path, keyword);
      if (before === after) continue;
      if (before === undefined) this.report(at, `${keyword} ${show(after)} added`, NARROWS);
      else if (after === undefined) this.report(at, `${keyword} ${show(before)} removed`, WIDENS);
      else this.report(at, `${keyword} changed from ${show(before)} to ${show(after)}`, BOTH);
    }
  }

  private compareArrays(p: Located, q: Located, path: string): void {
    const o = p.node as Record<string, unknown>;
    const n = q.node as Record<string, unknown>;
    this.compareBound(path, "minItems", lowerBound(o, "minItems"), lowerBound(n, "minItems"), true);
    this.compareBound(path, "maxItems", upperBound(o, "maxItems"), upperBound(n, "maxItems"), false);
    const uniqueBefore = o.uniqueItems === true;
    const uniqueAfter = n.uniqueItems === true;
    if (!uniqueBefore && uniqueAfter) this.report(pointer(path, "uniqueItems"), "items must now be unique (uniqueItems added)", NARROWS);
    if (uniqueBefore && !uniqueAfter) this.report(pointer(path, "uniqueItems"), "items no longer need to be unique (uniqueItems removed)", WIDENS);

    const itemsBefore = o.items;
    const itemsAfter = n.items;
    const at = pointer(path, "items");
    if (Array.isArray(itemsBefore) || Array.isArray(itemsAfter)) {
      if (!Array.isArray(itemsBefore) || !Array.isArray(itemsAfter) || itemsBefore.length !== itemsAfter.length) {
        this.report(at, "items changed between a single schema and a tuple, or the tuple length changed", BOTH);
        return;
      }
      itemsAfter.forEach((item, i) => {
        this.compare({ node: itemsBefore[i] as JsonSchema, at: pointer(p.at, "items", i) }, { node: item as JsonSchema, at: pointer(q.at, "items", i) }, pointer(at, i));
      });
    } else if (itemsBefore !== undefined || itemsAfter !== undefined) {
      this.compare(
        { node: (itemsBefore ?? true) as JsonSchema, at: pointer(p.at, "items") },
        { node: (itemsAfter ?? true) as JsonSchema, at: pointer(q.at, "items") },
        at,
      );
    }
    if (o.contains !== undefined || n.contains !== undefined) {
      this.compare(
        { node: (o.contains ?? true) as JsonSchema, at: pointer(p.at, "contains") },
        { node: (n.contains ?? true) as JsonSchema, at: pointer(q.at, "contains") },
        pointer(path, "contains"),
      );
    }
  }

  private propertyRule(side: Located, name: string): PropertyRule {
    const s = side.node as Record<string, unknown>;
    const props = isPlainObject(s.properties) ? s.properties : {};
    if (Object.hasOwn(props, name)) {
      return { kind: "schema", schema: { node: props[name] as JsonSchema, at: pointer(side.at, "properties", name) }, via: ["properties", name] };
    }
    if (isPlainObject(s.patternProperties)) {
      for (const [pattern, schema] of Object.entries(s.patternProperties)) {
        if (new RegExp(pattern, "u").test(name)) {
          return { kind: "schema", schema: { node: schema as JsonSchema, at: pointer(side.at, "patternProperties", pattern) }, via: ["patternProperties", pattern] };
        }
      }
    }
    if (s.additionalProperties === false) return { kind: "forbidden" };
    if (isPlainObject(s.additionalProperties)) {
      return { kind: "schema", schema: { node: s.additionalProperties, at: pointer(side.at, "additionalProperties") }, via: ["additionalProperties"] };
    }
    return { kind: "open" };
  }

  private compareObjects(p: Located, q: Located, path: string): void {
    const o = p.node as Record<string, unknown>;
    const n = q.node as Record<string, unknown>;
    this.compareBound(path, "minProperties", lowerBound(o, "minProperties"), lowerBound(n, "minProperties"), true);
    this.compareBound(path, "maxProperties", upperBound(o, "maxProperties"), upperBound(n, "maxProperties"), false);

    const propsBefore = isPlainObject(o.properties) ? Object.keys(o.properties) : [];
    const propsAfter = isPlainObject(n.properties) ? Object.keys(n.properties) : [];
    for (const name of [...new Set([...propsBefore, ...propsAfter])]) {
      const before = this.propertyRule(p, name);
      const after = this.propertyRule(q, name);
      const at = pointer(path, "properties", name);
      if (before.kind === "schema" && after.kind === "schema") {
        this.compare(before.schema, after.schema, pointer(path, ...after.via));
      } else if (before.kind === "forbidden" && after.kind === "schema") {
        this.report(at, `property '${name}' added, but the previous schema does not allow additional properties`, WIDENS);
      } else if (before.kind === "schema" && after.kind === "forbidden") {
        this.report(at, `property '${name}' removed, and additional properties are not allowed: data that has it is rejected`, NARROWS);
      }
      // open -> schema (added) and schema -> open (removed): undeclared properties carry no data.
    }

    const requiredBefore = new Set(Array.isArray(o.required) ? (o.required as string[]) : []);
    const requiredAfter = new Set(Array.isArray(n.required) ? (n.required as string[]) : []);
    const declaredBefore = new Set(propsBefore);
    const declaredAfter = new Set(propsAfter);
    for (const name of requiredAfter) {
      if (requiredBefore.has(name)) continue;
      const message = declaredBefore.has(name) ? `property '${name}' became required` : `required property '${name}' added`;
      this.report(pointer(path, "required"), message, NARROWS);
    }
    for (const name of requiredBefore) {
      if (requiredAfter.has(name)) continue;
      const message = declaredAfter.has(name) ? `property '${name}' is no longer required` : `required property '${name}' removed`;
      this.report(pointer(path, "required"), message, WIDENS);
    }

    this.compareAdditionalProperties(p, q, path);
    this.comparePatternProperties(p, q, path);
  }

  private compareAdditionalProperties(p: Located, q: Located, path: string): void {
    const before = (p.node as Record<string, unknown>).additionalProperties;
    const after = (q.node as Record<string, unknown>).additionalProperties;
    const at = pointer(path, "additionalProperties");
    const kind = (v: unknown) => (v === undefined || v === true ? "allowed" : v === false ? "forbidden" : "schema");
    const b = kind(before);
    const a = kind(after);
    if (b === "schema" && a === "schema") {
      this.compare({ node: before as JsonSchema, at: pointer(p.at, "additionalProperties") }, { node: after as JsonSchema, at: pointer(q.at, "additionalProperties") }, at);
    } else if (b === "allowed" && a === "forbidden") {
      this.report(at, "additional properties no longer allowed (additionalProperties false)", NARROWS);
    } else if (b === "allowed" && a === "schema") {
      this.report(at, "additional properties now constrained by a schema (were unconstrained)", NARROWS);
    } else if (b === "forbidden" && a !== "forbidden") {
      this.report(at, "additional properties now allowed (additionalProperties was false)", WIDENS);
    } else if (b === "schema" && a === "allowed") {
      this.report(at, "additional properties no longer constrained by a schema", WIDENS);
    } else if (b === "schema" && a === "forbidden") {
      this.report(at, "additional properties no longer allowed (additionalProperties false)", NARROWS);
    }
  }

  private comparePatternProperties(p: Located, q: Located, path: string): void {
    const before = (p.node as Record<string, unknown>).patternProperties;
    const after = (q.node as Record<string, unknown>).patternProperties;
    if (!isPlainObject(before) && !isPlainObject(after)) return;
    const b = isPlainObject(before) ? before : {};
    const a = isPlainObject(after) ? after : {};
    for (const pattern of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const at = pointer(path, "patternProperties", pattern);
      if (!Object.hasOwn(a, pattern)) this.report(at, `patternProperties ${show(pattern)} removed`, BOTH);
      else if (!Object.hasOwn(b, pattern)) this.report(at, `patternProperties ${show(pattern)} added`, BOTH);
      else this.compare({ node: b[pattern] as JsonSchema, at: pointer(p.at, "patternProperties", pattern) }, { node: a[pattern] as JsonSchema, at: pointer(q.at, "patternProperties", pattern) }, at);
    }
  }

  private branches(side: Located, keyword: string): Located[] | undefined {
    const list = (side.node as Record<string, unknown>)[keyword];
    if (!Array.isArray(list)) return undefined;
    return list.map((node, i) => ({ node: node as JsonSchema, at: pointer(side.at, keyword, i) }));
  }

  /** Whether `previous` -> `next` has no change breaking `direction`. */
  private accepts(previous: Located, next: Located, path: string, direction: BrokenDirection): boolean {
    return !this.probe(previous, next, path).some((c) => c.breaks.includes(direction));
  }

  private compareCombinators(p: Located, q: Located, path: string): void {
    for (const keyword of ["anyOf", "oneOf", "allOf"] as const) {
      const before = this.branches(p, keyword);
      const after = this.branches(q, keyword);
      const at = pointer(path, keyword);
      if (!before && !after) continue;
      if (!before) {
        this.report(at, `${keyword} added`, NARROWS);
        continue;
      }
      if (!after) {
        this.report(at, `${keyword} removed`, WIDENS);
        continue;
      }
      if (keyword === "allOf") {
        // Conjunction: every new constraint must already hold (BACKWARD), every old one must still hold (FORWARD).
        after.forEach((branch, j) => {
          if (!before.some((old) => this.accepts(old, branch, pointer(at, j), "backward"))) {
            this.report(pointer(at, j), `allOf branch ${j} is new or stricter than any previous branch`, NARROWS);
          }
        });
        before.forEach((old, i) => {
          if (!after.some((branch, j) => this.accepts(old, branch, pointer(at, j), "forward"))) {
            this.report(at, `allOf branch ${i} of the previous schema was removed or loosened`, WIDENS);
          }
        });
        continue;
      }
      // Disjunction: every old alternative must still be accepted (BACKWARD); every new one must have been (FORWARD).
      before.forEach((old, i) => {
        if (!after.some((branch, j) => this.accepts(old, branch, pointer(at, j), "backward"))) {
          this.report(at, `${keyword} branch ${i} of the previous schema is not accepted by any branch of the new one`, NARROWS);
        }
      });
      after.forEach((branch, j) => {
        if (!before.some((old) => this.accepts(old, branch, pointer(at, j), "forward"))) {
          this.report(pointer(at, j), `${keyword} branch ${j} is new or wider than any previous branch`, WIDENS);
        }
      });
      if (keyword === "oneOf" && after.length > before.length) {
        this.report(at, `oneOf gained ${after.length - before.length} branch(es): a value that matched exactly one branch may now match two`, NARROWS);
      }
    }
  }

  /** Keywords compared only for equality: any change breaks both ways. */
  private compareOpaque(p: Located, q: Located, path: string): void {
    const o = p.node as Record<string, unknown>;
    const n = q.node as Record<string, unknown>;
    for (const keyword of ["not", "if", "then", "else", "additionalItems", "propertyNames", "dependencies"] as const) {
      const before = o[keyword];
      const after = n[keyword];
      if (before === undefined && after === undefined) continue;
      const at = pointer(path, keyword);
      if (before === undefined || after === undefined) {
        this.report(at, `${keyword} ${before === undefined ? "added" : "removed"}; this checker compares it only for equality, so it counts as breaking both ways`, BOTH);
        continue;
      }
      const isSchema = (v: unknown): v is JsonSchema => isPlainObject(v) || typeof v === "boolean";
      const same =
        keyword !== "dependencies" && isSchema(before) && isSchema(after)
          ? this.probe({ node: before, at: pointer(p.at, keyword) }, { node: after, at: pointer(q.at, keyword) }, at).length === 0
          : canonicalJson(before) === canonicalJson(after);
      if (!same) this.report(at, `${keyword} changed; this checker compares it only for equality, so it counts as breaking both ways`, BOTH);
    }
  }
}
