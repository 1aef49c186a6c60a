// `npm start`: the whole platform on this machine, until Ctrl-C.

import { ConfigError } from "../apps/shared/config";
import { startLocalPlatform, type LocalPlatform } from "./platform";
import { readLocalSettings } from "./settings";
import { banner } from "./banner";

const out = (line: string) => process.stdout.write(`${line}\n`);

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
