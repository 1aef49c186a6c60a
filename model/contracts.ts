// The canonical event contracts under contracts/: one folder per event type,
// `contracts/{domain}/{event}/v{n}.json` (JSON Schema draft-07), and an optional
// `contract.json` beside the versions that overrides the compatibility mode and
// says whether the payload carries sensitive data. Read by the SchemaRegistry
// component (Glue), the local schema registry and the tests.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { isNameSegment } from "./topics";

export const compatibilityModes = ["BACKWARD", "FORWARD", "FULL", "NONE"] as const;
export type CompatibilityMode = (typeof compatibilityModes)[number];
export const defaultCompatibility: CompatibilityMode = "BACKWARD";

export interface ContractVersion {
  readonly version: number;
  readonly schema: Record<string, unknown>;
  /** Path relative to the contracts folder, for messages. */
  readonly file: string;
}

export interface Contract {
  readonly domain: string;
  readonly event: string;
  /** `{domain}.{event}` */
  readonly type: string;
  readonly compatibility: CompatibilityMode;
  readonly containsSensitive: boolean;
  readonly description: string;
  /** Ascending by version, starting at 1 with no gaps. */
  readonly versions: readonly ContractVersion[];
}

export const defaultContractsDir = resolve(__dirname, "..", "contracts");

export class ContractError extends Error {
  constructor(file: string, message: string) {
    super(`contracts/${file}: ${message}`);
    this.name = "ContractError";
  }
}

const versionFile = /^v([1-9][0-9]*)\.json$/;
const settingsFile = "contract.json";

function readJson(dir: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, file), "utf8"));
  } catch (err) {
    throw new ContractError(file, `is not valid JSON (${(err as Error).message})`);
  }
}

function subdirs(dir: string): string[] {
  return readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()).sort();
}

interface ContractSettings {
  compatibility: CompatibilityMode;
  containsSensitive: boolean;
  description: string;
}

function readSettings(root: string, rel: string): ContractSettings {
  const defaults: ContractSettings = { compatibility: defaultCompatibility, containsSensitive: false, description: "" };
  if (!existsSync(join(root, rel))) return defaults;
  const raw = readJson(root, rel);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ContractError(rel, "must be a JSON object");
  const allowedKeys = ["compatibility", "containsSensitive", "description"];
  for (const key of Object.keys(raw)) {
    if (!allowedKeys.includes(key)) throw new ContractError(rel, `unknown key "${key}"; allowed: ${allowedKeys.join(", ")}`);
  }
  const s = raw as Record<string, unknown>;
  const compatibility = s.compatibility ?? defaults.compatibility;
  if (!compatibilityModes.includes(compatibility as CompatibilityMode)) {
    throw new ContractError(rel, `compatibility "${String(compatibility)}" is not one of ${compatibilityModes.join(", ")}`);
  }
  const containsSensitive = s.containsSensitive ?? false;
  if (typeof containsSensitive !== "boolean") throw new ContractError(rel, "containsSensitive must be true or false");
  const description = s.description ?? "";
  if (typeof description !== "string") throw new ContractError(rel, "description must be a string");
  return { compatibility: compatibility as CompatibilityMode, containsSensitive, description };
}

/** Reads every contract, failing with the file and the fault on anything malformed. */
export function loadContracts(dir: string = defaultContractsDir): Contract[] {
  const contracts: Contract[] = [];
  for (const domain of subdirs(dir)) {
    if (!isNameSegment(domain)) throw new ContractError(domain, "folder name is not a valid domain (lower case letters, digits, _ or -)");
    for (const event of subdirs(join(dir, domain))) {
      const folder = join(dir, domain, event);
      const relFolder = relative(dir, folder);
      if (!isNameSegment(event)) throw new ContractError(relFolder, "folder name is not a valid event name (lower case letters, digits, _ or -)");
      const versions: ContractVersion[] = [];
      for (const name of readdirSync(folder).sort()) {
        if (name === settingsFile) continue;
        const m = versionFile.exec(name);
        const rel = join(relFolder, name);
        if (!m) throw new ContractError(rel, `unexpected file; expected v<n>.json or ${settingsFile}`);
        const schema = readJson(dir, rel);
        if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new ContractError(rel, "a schema must be a JSON object");
        versions.push({ version: Number(m[1]), schema: schema as Record<string, unknown>, file: rel });
      }
      versions.sort((a, b) => a.version - b.version);
      if (versions.length === 0) throw new ContractError(relFolder, "has no v1.json");
      versions.forEach((v, i) => {
        if (v.version !== i + 1) throw new ContractError(relFolder, `versions must run 1..n without gaps; found v${v.version} where v${i + 1} was expected`);
      });
      const settings = readSettings(dir, join(relFolder, settingsFile));
      contracts.push({ domain, event, type: `${domain}.${event}`, ...settings, versions });
    }
  }
  return contracts;
}
