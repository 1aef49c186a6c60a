// Composition root of the Pulumi program: the only place that reads stack config. It reads
// every `platform:*` key through config.ts (validated, per-environment defaults), loads the
// event contracts, builds the tiers and exports their outputs as the stack outputs.

import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig, type ConfigSource } from "./config";
import { buildPlatform } from "./components/platform";
import { loadContracts } from "./model/contracts";

const stackConfig = new pulumi.Config("platform");

/** Structured values arrive as JSON text; plain ones (a region, a CIDR) are returned as written. */
const readStackConfig: ConfigSource = (key) => {
  const raw = stackConfig.get(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

const platform = buildPlatform(loadPlatformConfig(readStackConfig), loadContracts());

export = platform.outputs;
