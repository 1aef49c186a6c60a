// Loads contracts/ into a schema registry: each contract version becomes the registered
// version of the same number. Idempotent: versions already registered with the same body are
// left alone. A registered version whose body differs from its contract file stops the seeding:
// a registered version never changes, the contract needs a new version instead.

import { schemaFingerprint } from "../../../model/compatibility";
import type { Contract } from "../../../model/contracts";
import type { SchemaRegistry } from "./port";

export interface SeedReport {
  /** `{type} v{n}` of each version this run registered. */
  readonly created: string[];
  /** How many contract versions were registered already. */
  readonly unchanged: number;
}

export class SeedError extends Error {
  constructor(file: string, message: string) {
    super(`contracts/${file}: ${message}`);
    this.name = "SeedError";
  }
}

export async function seedRegistry(registry: SchemaRegistry, contracts: readonly Contract[]): Promise<SeedReport> {
  const created: string[] = [];
  let unchanged = 0;
  for (const contract of contracts) {
    const registered = new Map((await registry.listVersions(contract.domain, contract.event)).map((v) => [v.version, v]));
    for (const version of contract.versions) {
      const label = `${contract.type} v${version.version}`;
      const existing = registered.get(version.version);
      if (existing) {
        if (existing.fingerprint !== schemaFingerprint(version.schema)) {
          throw new SeedError(version.file, `differs from the registered ${label}; a registered version cannot change, add v${contract.versions.length + 1} instead`);
        }
        unchanged++;
        continue;
      }
      const outcome = await registry.register(contract.domain, contract.event, version.schema, {
        compatibility: contract.compatibility,
        containsSensitive: contract.containsSensitive,
      });
      if (outcome.kind === "incompatible") {
        const problems = outcome.problems.map((p) => `${p.path || "/"}: ${p.message}`).join("; ");
        throw new SeedError(version.file, `breaks ${outcome.mode} compatibility against registered v${outcome.againstVersion}: ${problems}`);
      }
      if (outcome.version.version !== version.version) {
        const what = outcome.kind === "identical" ? "is identical to" : "was registered as";
        throw new SeedError(version.file, `${what} ${contract.type} v${outcome.version.version}, not v${version.version}`);
      }
      created.push(label);
    }
  }
  return { created, unchanged };
}
