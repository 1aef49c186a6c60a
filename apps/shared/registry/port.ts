// The schema registry as the services see it. Two adapters implement it: AWS Glue Schema
// Registry (schema bodies in Glue, metadata in event_schema) and a local one (bodies and
// metadata in event_schema, seeded from contracts/). Both enforce the compatibility mode
// with the checker in model/compatibility.ts, so a break is refused the same way everywhere.

import type { CompatibilityMode } from "../../../model/contracts";
import type { SchemaStatus } from "../../../model/tables";

export interface SchemaVersion {
  domain: string;
  event: string;
  version: number;
  status: SchemaStatus;
  compatibility: CompatibilityMode;
  containsSensitive: boolean;
  schema: Record<string, unknown>;
  fingerprint: string;
  createdAt: string;
}

export type RegisterOutcome =
  /** A new version was stored. */
  | { kind: "created"; version: SchemaVersion }
  /**
   * The body is identical (key order aside) to a stored version, normally the latest: nothing
   * stored. An older version is answered too, as AWS Glue keeps one version per definition.
   */
  | { kind: "identical"; version: SchemaVersion }
  /** The body breaks the subject's compatibility mode against the version(s) it must be checked against. */
  | { kind: "incompatible"; mode: CompatibilityMode; againstVersion: number; problems: { path: string; message: string }[] };

export interface RegisterOptions {
  /** Mode for a subject's first version; later versions keep the subject's mode. Default BACKWARD. */
  compatibility?: CompatibilityMode;
  containsSensitive?: boolean;
}

/** Thrown by register() when the body is not a valid JSON Schema draft-07: the admin API answers 400. */
export class InvalidSchemaError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(`not a valid JSON Schema draft-07: ${problems.map((p) => `${p.path || "/"} ${p.message}`).join("; ")}`);
    this.name = "InvalidSchemaError";
  }
}

/**
 * Thrown by register() when concurrent registrations of the same event type kept taking the
 * version number it was about to store, more times than it retries: the caller may try again.
 */
export class RegistrationConflictError extends Error {
  constructor(readonly eventType: string, readonly attempts: number) {
    super(`${eventType}: concurrent registrations took the next version ${attempts} times in a row; try again`);
    this.name = "RegistrationConflictError";
  }
}

export interface SchemaRegistry {
  register(domain: string, event: string, schema: Record<string, unknown>, options?: RegisterOptions): Promise<RegisterOutcome>;
  /** A version, or undefined when it does not exist. */
  getVersion(domain: string, event: string, version: number): Promise<SchemaVersion | undefined>;
  /** The newest ACTIVE version, or undefined when the type has none. */
  latestActive(domain: string, event: string): Promise<SchemaVersion | undefined>;
  /** Every version, ascending. Empty when the type is unknown. */
  listVersions(domain: string, event: string): Promise<SchemaVersion[]>;
}
