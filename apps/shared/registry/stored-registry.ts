// What the two registry adapters share: reads from event_schema, and the registration loop
// (decide, store; decide again when a concurrent registration took the version number).
// An adapter says only how a decided version is stored (local: the event_schema item; Glue:
// the Glue version, then the item).

import { setTimeout as sleep } from "node:timers/promises";
import type { Contract } from "../../../model/contracts";
import { formatEventType } from "../../../model/topics";
import { EventSchemaStore, VersionTakenError, itemToSchemaVersion } from "./metadata-store";
import {
  RegistrationConflictError,
  type RegisterOptions,
  type RegisterOutcome,
  type SchemaRegistry,
  type SchemaVersion,
} from "./port";
import { assertEventTypeNames, decideRegistration, type NewVersionPlan } from "./registration";
import { seedRegistry, type SeedReport } from "./seed";

/** Attempts of one registration before RegistrationConflictError. */
const registerAttempts = 8;

export abstract class StoredSchemaRegistry implements SchemaRegistry {
  protected constructor(protected readonly store: EventSchemaStore) {}

  /** Stores a decided version. Throws VersionTakenError when it lost the version number to a concurrent registration. */
  protected abstract persist(plan: NewVersionPlan): Promise<RegisterOutcome>;

  async register(domain: string, event: string, schema: Record<string, unknown>, options?: RegisterOptions): Promise<RegisterOutcome> {
    assertEventTypeNames(domain, event);
    for (let attempt = 1; attempt <= registerAttempts; attempt++) {
      const decision = decideRegistration(domain, event, await this.listVersions(domain, event), schema, options);
      if (decision.kind !== "new") return decision;
      try {
        return await this.persist(decision.plan);
      } catch (err) {
        if (!(err instanceof VersionTakenError)) throw err;
        // Lost the race: spread the retries so the losers do not collide again.
        await sleep(10 + Math.random() * 40 * attempt);
      }
    }
    throw new RegistrationConflictError(formatEventType({ domain, event }), registerAttempts);
  }

  async getVersion(domain: string, event: string, version: number): Promise<SchemaVersion | undefined> {
    const item = await this.store.get(domain, event, version);
    return item && itemToSchemaVersion(item);
  }

  async latestActive(domain: string, event: string): Promise<SchemaVersion | undefined> {
    return (await this.listVersions(domain, event)).findLast((v) => v.status === "ACTIVE");
  }

  async listVersions(domain: string, event: string): Promise<SchemaVersion[]> {
    return (await this.store.list(domain, event)).map(itemToSchemaVersion);
  }

  /** Registers every version of every contract that is not registered yet. Idempotent. */
  seedFromContracts(contracts: readonly Contract[]): Promise<SeedReport> {
    return seedRegistry(this, contracts);
  }
}
