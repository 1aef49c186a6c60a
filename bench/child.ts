// The bench's helper processes (the baseline HTTP server, the webhook receiver) run apart
// from the load generator, as the services do, so neither steals the other's event loop.
// A helper reports `{ ready: true, port }` over IPC once it listens.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface BenchChild {
  readonly process: ChildProcess;
  readonly port: number;
  stop(): Promise<void>;
}

interface ReadyMessage {
  ready: true;
  port: number;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === "object" && message !== null && (message as ReadyMessage).ready === true;
}

export async function startBenchChild(script: string, env: NodeJS.ProcessEnv = {}): Promise<BenchChild> {
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, script)], {
    cwd: join(__dirname, ".."),
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not report ready within 30 s`)), 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}) before it was ready`));
    });
    child.on("message", (message) => {
      if (isReady(message)) {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    process: child,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
