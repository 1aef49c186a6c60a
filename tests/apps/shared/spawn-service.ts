// Runs a service's main.ts as its own process, with exactly the environment the test gives
// (plus PATH and HOME), to test start-up faults and the real wiring.

import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "..", "..", "..");

export interface ServiceProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

export function startService(service: "gateway" | "admin", env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ["--disable-warning=TimeoutNegativeWarning", "--import", "tsx", `apps/${service}/main.ts`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | string>((done) => child.on("exit", (code, signal) => done(code ?? signal ?? "unknown")));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForLine(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = out.split("\n").find((l) => pattern.test(l));
        if (line) return line;
        if (child.exitCode !== null) throw new Error(`${service} exited (${child.exitCode}) before printing ${pattern}:\n${err}`);
        if (Date.now() > deadline) throw new Error(`${service} did not print ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Runs main.ts to its end: for configurations that must stop it. */
export async function runServiceToExit(service: "gateway" | "admin", env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | string; stderr: string; stdout: string }> {
  const proc = startService(service, env);
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, stderr: proc.stderr(), stdout: proc.stdout() };
}
