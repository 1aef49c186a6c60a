// Payload validation against the schema registry. Compiled validators are kept per
// type + version (a version never changes once stored); which version is the latest ACTIVE is
// looked up again after a short TTL, so a newly registered version is picked up without restart.

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";
import type { SchemaRegistry, SchemaVersion } from "../shared/registry/port";
import type { EventType } from "../../model/topics";
import type { FieldError } from "../shared/http/problem";
import { jsonPointer } from "../shared/http/validate";

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on .default.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

export interface ResolvedSchema {
  version: number;
  /** The faults of `data` against the schema, paths under `/data`; empty when valid. */
  validate(data: unknown): FieldError[];
}

export type Resolution = { ok: true; schema: ResolvedSchema } | { ok: false; reason: string };

export interface SchemaValidatorsOptions {
  /** How long a "latest ACTIVE version" (or "no such version") answer is trusted. */
  lookupTtlMs?: number;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export class SchemaValidators {
  private readonly lookupTtlMs: number;
  private readonly latest = new Map<string, Cached<SchemaVersion | undefined>>();
  private readonly versions = new Map<string, Cached<SchemaVersion | undefined>>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    private readonly registry: SchemaRegistry,
    options: SchemaValidatorsOptions = {},
  ) {
    this.lookupTtlMs = options.lookupTtlMs ?? 5000;
  }

  async resolve(type: EventType, requestedVersion?: number): Promise<Resolution> {
    const name = `${type.domain}.${type.event}`;
    if (requestedVersion === undefined) {
      const latest = await this.cached(this.latest, name, () => this.registry.latestActive(type.domain, type.event));
      if (!latest) return { ok: false, reason: `no ACTIVE schema is registered for ${name}` };
      return { ok: true, schema: this.toResolved(latest) };
    }
    const version = await this.cached(this.versions, `${name}#${requestedVersion}`, () =>
      this.registry.getVersion(type.domain, type.event, requestedVersion),
    );
    if (!version) return { ok: false, reason: `${name} has no schema version ${requestedVersion}` };
    if (version.status !== "ACTIVE") return { ok: false, reason: `version ${requestedVersion} of ${name} is ${version.status}` };
    return { ok: true, schema: this.toResolved(version) };
  }

  private cached<T>(map: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && Date.now() - hit.at < this.lookupTtlMs) return hit.value;
    const value = load();
    map.set(key, { at: Date.now(), value });
    // A failed lookup is not remembered: the next request asks again.
    value.catch(() => map.get(key)?.value === value && map.delete(key));
    return value;
  }

  private toResolved(version: SchemaVersion): ResolvedSchema {
    const key = `${version.domain}.${version.event}#${version.version}#${version.fingerprint}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = compile(version.schema);
      this.compiled.set(key, validate);
    }
    const fn = validate;
    return { version: version.version, validate: (data) => (fn(data) ? [] : (fn.errors ?? []).map(toFieldError)) };
  }
}

function compile(schema: Record<string, unknown>): ValidateFunction {
  // One Ajv per schema: versions of a type may share an `$id`, which one instance refuses twice.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** An ajv error as a JSON pointer under /data; for a missing or extra property the pointer names that property. */
export function toFieldError(error: ErrorObject): FieldError {
  let pointer = `/data${error.instancePath}`;
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === "required" && params.missingProperty) pointer += jsonPointer([params.missingProperty]);
  if (error.keyword === "additionalProperties" && params.additionalProperty) pointer += jsonPointer([params.additionalProperty]);
  return { path: pointer, message: error.message ?? `fails ${error.keyword}` };
}
