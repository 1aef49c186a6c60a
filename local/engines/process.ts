// Child processes of the engines: started with their output in a log file, waited on until a
// probe says they are ready, stopped with SIGTERM and then SIGKILL, never left behind.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { timed, type EngineLog } from "./log";
import { waitForPortFree } from "./ports";

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the process are appended here. */
  readonly logFile: string;
}

export interface EngineProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) when the process has ended. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** SIGTERM to the process group; SIGKILL when it has not ended after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const DEFAULT_GRACE_MS = 20_000;
const live = new Set<ChildProcess>();

// Last resort when the parent exits without stopping its engines (an uncaught error, a test
// runner that calls process.exit): no engine outlives the process that started it.
process.once("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group: a wrapper script's children too
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return "(no log)";
  const text = readFileSync(logFile, "utf8").trimEnd().split("\n");
  return text.slice(-lines).join("\n");
}

export function spawnEngine(command: string, args: readonly string[], options: SpawnOptions): EngineProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", fd, fd],
      detached: true, // own process group, so stop() reaches every descendant
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      live.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (error) => {
      running = false;
      live.delete(child);
      resolve(`spawn error: ${error.message}`);
    });
  });
  return {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    get running() {
      return running;
    },
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (!running) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
      // Descendants that ignored SIGTERM (none expected) go too.
      killGroup(child, "SIGKILL");
    },
  };
}

export interface ReadyOptions {
  /** Names the engine in errors. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it resolves true. Fails with the log's tail when the process ends first
 * or the timeout passes.
 */
export async function waitUntilReady(
  engine: EngineProcess,
  probe: () => Promise<boolean>,
  options: ReadyOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = "";
  let ended: number | string | undefined;
  void engine.exited.then((code) => {
    ended = code;
  });
  for (;;) {
    if (ended !== undefined || !engine.running) {
      const code = ended ?? (await engine.exited);
      throw new Error(
        `${options.what} exited (${code}) before it was ready; log ${engine.logFile}:\n${logTail(engine.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      await engine.stop(5_000);
      throw new Error(
        `${options.what} was not ready after ${options.timeoutMs} ms` +
          (lastError ? ` (last probe: ${lastError})` : "") +
          `; log ${engine.logFile}:\n${logTail(engine.logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

export interface RunResult {
  readonly code: number | string;
  readonly output: string;
}

/** Runs a command to completion (a download, a format step), with its output captured. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    live.add(child);
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n(killed after ${options.timeoutMs} ms)\n`));
      killGroup(child, "SIGKILL");
    }, options.timeoutMs);
    const finish = (code: number | string) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, output: Buffer.concat(chunks).toString("utf8") });
    };
    child.once("error", (error) => finish(`spawn error: ${error.message}`));
    child.once("close", (code, signal) => finish(code ?? signal ?? "unknown"));
  });
}

/** An engine's stop(): ends the process (SIGTERM, then SIGKILL after graceMs) and waits until its port is free. */
export async function stopEngine(engine: EngineProcess, port: number, graceMs: number, log: EngineLog, label: string): Promise<void> {
  if (!engine.running) return;
  await timed(log, label, async () => {
    await engine.stop(graceMs);
    await waitForPortFree(port, 10_000);
  });
}
