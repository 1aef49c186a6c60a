// moto's server mode: a local stand-in for the AWS APIs that have no official local engine
// (Glue Schema Registry, Secrets Manager), for the adapters' tests.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { stderrLog, timed, type EngineLog } from "./log";
import { LOOPBACK, freePort } from "./ports";
import { python, requireCommand } from "./prerequisites";
import { runCommand, spawnEngine, stopEngine, waitUntilReady } from "./process";

/** The version .ci/install-tools.sh installs. Another 5.x works; the launcher only needs the server. */
export const MOTO_VERSION = "5.2.5";

export interface MotoOptions {
  /** The log goes under `<stateDir>/moto`. */
  readonly stateDir: string;
  readonly port?: number;
  readonly readyTimeoutMs?: number;
  readonly log?: EngineLog;
}

export interface MotoHandle {
  /** `http://127.0.0.1:<port>`: the endpoint of every AWS client in the tests that use moto. */
  readonly endpoint: string;
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

async function requireMotoServer(): Promise<void> {
  await requireCommand(python);
  // moto[server] adds flask and flask-cors; plain `moto` cannot serve.
  const check = await runCommand("python3", ["-c", "import moto, moto.server, flask, flask_cors; print(moto.__version__)"], {
    timeoutMs: 60_000,
  });
  if (check.code !== 0) {
    throw new Error(
      `moto's server is not installed for python3. Install it with ` +
        `python3 -m pip install 'moto[server]==${MOTO_VERSION}', or run .ci/install-tools.sh\n${check.output.trim()}`,
    );
  }
}

async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

export async function startMoto(options: MotoOptions): Promise<MotoHandle> {
  const log = options.log ?? stderrLog;
  await timed(log, "moto check", requireMotoServer);
  const port = options.port ?? (await freePort());
  const home = join(options.stateDir, "moto");
  mkdirSync(home, { recursive: true });
  const engine = spawnEngine("python3", ["-m", "moto.server", "-H", LOOPBACK, "-p", String(port)], {
    cwd: home,
    logFile: join(home, "moto.log"),
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const endpoint = `http://${LOOPBACK}:${port}`;
  await timed(log, `moto ready on ${endpoint}`, () =>
    waitUntilReady(engine, () => answers(endpoint), { what: "moto server", timeoutMs: options.readyTimeoutMs ?? 60_000 }),
  );
  return {
    endpoint,
    port,
    logFile: engine.logFile,
    stop: () => stopEngine(engine, port, 5_000, log, "moto stopped"),
  };
}
