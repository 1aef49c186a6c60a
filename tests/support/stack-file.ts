// Reads a real Pulumi.<env>.yaml and serves its `platform:*` keys the way index.ts serves
// Pulumi config to config.ts, so the tests build each stack from its own file.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ConfigSource, Env } from "../../config";

export const repoRoot = join(__dirname, "..", "..");

export function stackFilePath(env: Env): string {
  return join(repoRoot, `Pulumi.${env}.yaml`);
}

/** The `config:` map of a stack file, keys as written (`platform:kafka`, `pulumi:...`). */
export function readStackConfig(env: Env): Record<string, unknown> {
  const doc = parse(readFileSync(stackFilePath(env), "utf8")) as { config?: Record<string, unknown> };
  if (!doc?.config) throw new Error(`${stackFilePath(env)} has no config section`);
  return doc.config;
}

export function stackFileSource(env: Env): ConfigSource {
  const config = readStackConfig(env);
  return (key) => config[`platform:${key}`];
}

/** A source from a plain map of `platform:*` values, for config tests that change one key. */
export function sourceOf(values: Record<string, unknown>): ConfigSource {
  return (key) => values[key];
}
