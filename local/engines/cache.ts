// Where downloaded engines live between runs: `$PLATFORM_CACHE_DIR`, or
// `~/.cache/webhooks-platform`. A fresh machine downloads; later runs reuse.
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(): string {
  const configured = process.env.PLATFORM_CACHE_DIR;
  if (configured) return configured;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "webhooks-platform");
}
