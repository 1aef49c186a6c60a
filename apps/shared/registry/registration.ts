// What registering a schema body for an event type means, given the versions it has: the
// decision both registry adapters make before they store anything.
//
// Against which versions: ALL of them, newest first (like Glue's BACKWARD_ALL / Confluent's
// *_TRANSITIVE), not only the latest. The gateway accepts events of any ACTIVE version (the
// CloudEvent `dataversion`), so a consumer may meet data written under any earlier version; and
// the checker's "undeclared properties carry no data" rule is not transitive on its own (v2 drops
// an optional field, v3 brings it back with another type: fine against v2, broken against v1).
// Being stricter than Glue's own check (latest only for BACKWARD) is safe: what we let through,
// Glue accepts.

import { checkCompatibility, schemaFingerprint, validateDraft07Schema } from "../../../model/compatibility";
import { defaultCompatibility, type CompatibilityMode } from "../../../model/contracts";
import { isNameSegment, nameSegmentPattern } from "../../../model/topics";
import { InvalidSchemaError, type RegisterOptions, type RegisterOutcome, type SchemaVersion } from "./port";

/** A version to store: the number and settings the registration decided. */
export interface NewVersionPlan {
  domain: string;
  event: string;
  version: number;
  compatibility: CompatibilityMode;
  containsSensitive: boolean;
  schema: Record<string, unknown>;
  fingerprint: string;
}

export type RegistrationDecision = Exclude<RegisterOutcome, { kind: "created" }> | { kind: "new"; plan: NewVersionPlan };

export function assertEventTypeNames(domain: string, event: string): void {
  for (const [what, value] of [["domain", domain], ["event name", event]] as const) {
    if (!isNameSegment(value)) throw new Error(`invalid ${what} "${value}": expected ${nameSegmentPattern}`);
  }
}

/**
 * Decides a registration. `existing` is every stored version of the type, ascending.
 * Throws InvalidSchemaError when the body is not a valid draft-07 schema.
 */
export function decideRegistration(
  domain: string,
  event: string,
  existing: readonly SchemaVersion[],
  schema: Record<string, unknown>,
  options: RegisterOptions = {},
): RegistrationDecision {
  const problems = validateDraft07Schema(schema);
  if (problems.length > 0) throw new InvalidSchemaError(problems);

  const fingerprint = schemaFingerprint(schema);
  const same = existing.findLast((v) => v.fingerprint === fingerprint);
  if (same) return { kind: "identical", version: same };

  const latest = existing.at(-1);
  // The subject's mode is set by its first version and kept; options apply to a new subject.
  const mode = latest?.compatibility ?? options.compatibility ?? defaultCompatibility;
  for (const previous of [...existing].reverse()) {
    const result = checkCompatibility(previous.schema, schema, mode);
    if (!result.compatible) return { kind: "incompatible", mode, againstVersion: previous.version, problems: result.problems };
  }
  return {
    kind: "new",
    plan: {
      domain,
      event,
      version: (latest?.version ?? 0) + 1,
      compatibility: mode,
      containsSensitive: options.containsSensitive ?? latest?.containsSensitive ?? false,
      schema,
      fingerprint,
    },
  };
}
