// The check of contracts/ that the tests and CI run: every version is a valid draft-07 schema,
// every example in a schema's `examples` validates against it, and every version is compatible,
// under the contract's mode, with every version before it (the registry checks the same way:
// see apps/shared/registry/registration.ts). Findings name the contract file and the break.

import Ajv from "ajv";
import addFormats from "ajv-formats";
import { checkCompatibility, validateDraft07Schema } from "./compatibility";
import { loadContracts, type Contract } from "./contracts";

export interface ContractFinding {
  /** Path relative to the contracts folder, e.g. `orders/created/v2.json`. */
  readonly file: string;
  /** One line: `contracts/<file>: <what is wrong>`. */
  readonly message: string;
}

function exampleProblems(contract: Contract, file: string, schema: Record<string, unknown>): ContractFinding[] {
  if (!Array.isArray(schema.examples)) return [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const findings: ContractFinding[] = [];
  schema.examples.forEach((example, i) => {
    if (validate(example)) return;
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ");
    findings.push({ file, message: `contracts/${file}: examples[${i}] of ${contract.type} does not validate: ${errors}` });
  });
  return findings;
}

/** Findings for already loaded contracts; empty when all is well. */
export function checkLoadedContracts(contracts: readonly Contract[]): ContractFinding[] {
  const findings: ContractFinding[] = [];
  for (const contract of contracts) {
    const valid = new Set<number>();
    for (const version of contract.versions) {
      const problems = validateDraft07Schema(version.schema);
      for (const p of problems) {
        findings.push({ file: version.file, message: `contracts/${version.file}: not a valid JSON Schema draft-07: ${p.path || "/"} ${p.message}` });
      }
      if (problems.length > 0) continue;
      valid.add(version.version);
      findings.push(...exampleProblems(contract, version.file, version.schema));
    }
    contract.versions.forEach((next, j) => {
      for (const previous of contract.versions.slice(0, j)) {
        if (!valid.has(previous.version) || !valid.has(next.version)) continue;
        const result = checkCompatibility(previous.schema, next.schema, contract.compatibility);
        for (const p of result.problems) {
          findings.push({
            file: next.file,
            message: `contracts/${next.file}: breaks ${contract.compatibility} compatibility of ${contract.type} against v${previous.version}: ${p.path || "/"}: ${p.message}`,
          });
        }
      }
    });
  }
  return findings;
}

/** Loads a contracts folder and checks it. Malformed layout throws ContractError. */
export function checkContracts(dir?: string): ContractFinding[] {
  return checkLoadedContracts(loadContracts(dir));
}
