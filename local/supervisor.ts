// Runs the services of the local platform as child processes: prefixed, coloured logs,
// readiness by HTTP, and one rule for failure — a child that dies while the platform is up
// is reported and takes the whole platform down, rather than leaving it half alive.

import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { formatLogLine } from "./log-format";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Polled until it answers 200; the child is ready then. */
  readyUrl: string;
  color: number;
}

interface Running {
  spec: ChildSpec;
  process: ChildProcess;
  exited: Promise<number | null>;
}

const readyTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

export class Supervisor {
  private readonly children: Running[] = [];
  private stopping = false;

  constructor(
    private readonly write: (line: string) => void,
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {}

  prefix(name: string, color: number): string {
    const label = name.padEnd(10);
    return process.stdout.isTTY ? `\x1b[${color}m${label}\x1b[0m|` : `${label}|`;
  }

  async start(spec: ChildSpec): Promise<void> {
    // Own process group: a Ctrl-C in the terminal reaches only the runner, which then stops
    // the children one by one, in order, so each drains once instead of being cut short.
    const child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (this.children.length === 0) process.once("exit", () => this.killAllNow());
    const prefix = this.prefix(spec.name, spec.color);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => this.write(`${prefix} ${formatLogLine(line)}`));
    }
    const exited = new Promise<number | null>((resolve) => {
      child.on("exit", (code, signal) => {
        if (!this.stopping) this.onUnexpectedExit(spec.name, code, signal);
        resolve(code);
      });
    });
    this.children.push({ spec, process: child, exited });
    await this.waitReady(spec, exited);
  }

  private async waitReady(spec: ChildSpec, exited: Promise<number | null>): Promise<void> {
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`${spec.name} exited before it was ready (see its log above)`);
      try {
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${spec.name} was not ready within ${readyTimeoutMs / 1000}s at ${spec.readyUrl}`);
  }

  /** Stops the children in the order given (services that take traffic first), each with SIGTERM, then SIGKILL after a grace period. */
  async stopAll(order: string[]): Promise<void> {
    this.stopping = true;
    const byName = new Map(this.children.map((c) => [c.spec.name, c]));
    const ordered = [...order.map((n) => byName.get(n)).filter((c): c is Running => !!c), ...this.children.filter((c) => !order.includes(c.spec.name))];
    for (const child of ordered) await this.stopOne(child);
  }

  /** Last resort when the runner itself exits: no child may outlive it. */
  private killAllNow(): void {
    for (const child of this.children) signalGroup(child.process, "SIGKILL");
  }

  private async stopOne(child: Running): Promise<void> {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return;
    signalGroup(child.process, "SIGTERM");
    const timer = setTimeout(() => {
      this.write(`${this.prefix(child.spec.name, child.spec.color)} did not stop within ${stopTimeoutMs / 1000}s; killing it`);
      signalGroup(child.process, "SIGKILL");
    }, stopTimeoutMs);
    await child.exited;
    clearTimeout(timer);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
