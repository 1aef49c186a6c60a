// A JSON Schema document as the platform takes it: draft-07, local `$ref`s only, identified by
// the SHA-256 of its canonical JSON. Used by the compatibility checker, the schema registry
// adapters and the contracts test. No AWS, no Pulumi.

import { createHash } from "node:crypto";
import Ajv from "ajv";
import { stringify } from "safe-stable-stringify";

export type JsonSchema = Record<string, unknown> | boolean;

export interface SchemaProblem {
  /** JSON pointer into the schema ("" is the root). */
  readonly path: string;
  readonly message: string;
}

export const draft07MetaSchemaUri = "http://json-schema.org/draft-07/schema#";

/** Canonical JSON text: object keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}

/** hex SHA-256 of the canonical JSON: equal fingerprints mean identical schemas, key order aside. */
export function schemaFingerprint(schema: unknown): string {
  return createHash("sha256").update(canonicalJson(schema)).digest("hex");
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Appends tokens to a JSON pointer, escaping `~` and `/`. */
export function pointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${escapePointerToken(String(t))}`).join("");
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Resolves a `$ref` within the document it appears in. Only local references (`#` or `#/...`)
 * are supported; anything else (another document, an `$id` anchor) answers undefined.
 * Returns the target and its JSON pointer.
 */
export function resolveLocalRef(root: JsonSchema, ref: string): { target: JsonSchema; pointer: string } | undefined {
  if (ref !== "#" && !ref.startsWith("#/")) return undefined;
  const tokens = ref === "#" ? [] : ref.slice(2).split("/").map((t) => decodeURIComponent(t).replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = root;
  for (const token of tokens) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token)) node = node[Number(token)];
    else if (isPlainObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  if (typeof node !== "boolean" && !isPlainObject(node)) return undefined;
  return { target: node, pointer: pointer("", ...tokens) };
}

/** Every `$ref` in the document that does not resolve locally, with where it is. */
function unresolvedRefs(root: JsonSchema): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const walk = (node: unknown, at: string, keyIsPropertyName: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, pointer(at, i), false));
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      // Under properties/definitions/patternProperties the keys are names, not keywords.
      if (!keyIsPropertyName && key === "$ref" && typeof value === "string") {
        if (!resolveLocalRef(root, value)) {
          problems.push({
            path: pointer(at, "$ref"),
            message: `cannot resolve "${value}": only references within the schema (#/definitions/...) are supported`,
          });
        }
        continue;
      }
      if (!keyIsPropertyName && (key === "enum" || key === "const" || key === "examples" || key === "default")) continue;
      const childHoldsNames = !keyIsPropertyName && (key === "properties" || key === "definitions" || key === "patternProperties" || key === "dependencies");
      walk(value, pointer(at, key), childHoldsNames);
    }
  };
  walk(root, "", false);
  return problems;
}

const metaValidator = new Ajv({ allErrors: true });

/**
 * Whether `schema` is a JSON Schema draft-07 the platform can use: `$schema`, when present,
 * names draft-07; the document validates against the draft-07 meta-schema; every `$ref` is
 * local and resolves; and ajv can compile it (e.g. every `pattern` is a valid regex).
 * Returns the problems; empty means valid.
 */
export function validateDraft07Schema(schema: unknown): SchemaProblem[] {
  if (typeof schema !== "boolean" && !isPlainObject(schema)) {
    return [{ path: "", message: "a schema must be a JSON object (or a boolean)" }];
  }
  if (isPlainObject(schema) && schema.$schema !== undefined) {
    const declared = schema.$schema;
    if (typeof declared !== "string" || declared.replace(/#$/, "") !== draft07MetaSchemaUri.replace(/#$/, "")) {
      return [{ path: "/$schema", message: `must be "${draft07MetaSchemaUri}" (only JSON Schema draft-07 is accepted), got ${JSON.stringify(declared)}` }];
    }
  }
  const valid = metaValidator.validateSchema(schema);
  if (!valid) {
    // ajv reports every failed branch of the meta-schema's anyOfs; the first error per location is the telling one.
    const firstPerPath = new Map<string, SchemaProblem>();
    for (const e of metaValidator.errors ?? []) {
      if (firstPerPath.has(e.instancePath)) continue;
      const allowed = isPlainObject(e.params) && Array.isArray(e.params.allowedValues) ? ` (allowed: ${e.params.allowedValues.join(", ")})` : "";
      firstPerPath.set(e.instancePath, { path: e.instancePath, message: `${e.message ?? "is invalid"}${allowed}` });
    }
    return [...firstPerPath.values()];
  }
  const refProblems = unresolvedRefs(schema);
  if (refProblems.length > 0) return refProblems;
  try {
    // A fresh instance: compiled schemas are cached per instance, and `$id`s would collide.
    new Ajv({ strict: false, validateFormats: false }).compile(schema);
  } catch (err) {
    return [{ path: "", message: (err as Error).message }];
  }
  return [];
}
