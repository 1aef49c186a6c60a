// `npm start`: the whole platform on this machine, until Ctrl-C.

import { ConfigError } from "../apps/shared/config";
import { startLocalPlatform, type LocalPlatform } from "./platform";
import { readLocalSettings } from "./settings";

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Printed last: the e2e test waits for it, so keep the word. */
export const readyMarker = "platform ready";

function banner(p: LocalPlatform, stateDir: string, startedMs: number): string {
  const rule = "─".repeat(78);
  return [
    rule,
    `  Webhooks platform is up (${((Date.now() - startedMs) / 1000).toFixed(1)}s)`,
    rule,
    `  gateway      ${p.urls.gateway}/v1/events`,
    `  admin API    ${p.urls.admin}/v1   (Authorization: Bearer <admin token>)`,
    `  metrics      ${p.urls.gateway}/metrics  ${p.urls.admin}/metrics  ${p.urls.processor}/metrics  ${p.urls.dispatcher}/metrics`,
    `  receiver     ${p.urls.receiver}   (verifies signatures; its log lines start with "receiver")`,
    `  kafka        ${p.kafkaBrokers}`,
    `  dynamodb     ${p.dynamodbEndpoint}`,
    "",
    `  admin token  ${p.adminToken}   (also in ${stateDir}/admin-token)`,
    `  producer key ${p.demo.producerKey}   (domain "orders")`,
    `  subscription ${p.demo.subscriptionId}   (partner "demo", orders.created -> receiver, approved)`,
    "",
    "  Send an event; its signed delivery shows in the receiver's log:",
    "",
    p.demo.curl
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
    "",
    `  Ctrl-C stops everything. State: ${stateDir}`,
    rule,
    readyMarker,
  ].join("\n");
}

async function main(): Promise<void> {
  const started = Date.now();
  let settings;
  try {
    settings = readLocalSettings();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  let platform: LocalPlatform | undefined;
  let stopping: Promise<void> | undefined;
  let stopRequested: number | undefined;
  const stop = (code: number) => {
    if (!platform) {
      // Still starting: startLocalPlatform cleans up after itself on failure; stop once it is up.
      stopRequested ??= code;
      out("stopping once start-up has finished");
      return;
    }
    const up = platform;
    stopping ??= (async () => {
      out("stopping: services first, engines last");
      await up.stop();
      out("stopped");
      process.exit(code);
    })();
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));

  try {
    platform = await startLocalPlatform(settings, {
      out,
      onFatal: (reason) => {
        process.stderr.write(`${reason}: stopping the platform\n`);
        stop(1);
      },
    });
  } catch (err) {
    process.stderr.write(`the platform did not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (stopRequested !== undefined) return stop(stopRequested);
  out(banner(platform, settings.LOCAL_STATE_DIR, started));
}

void main();
