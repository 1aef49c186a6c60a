// A CPU profile of a running service, taken the way `node --cpu-prof` takes it (V8's sampling
// profiler) but attached to the process `npm start` started, with its exact environment:
// SIGUSR1 opens the Node inspector on 127.0.0.1:9229, the DevTools protocol starts and stops
// the profiler, and the inspector is closed again. One process at a time, since every
// process opens the same inspector port.

import { writeFileSync } from "node:fs";

export const inspectorPort = 9229;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotSpot {
  name: string;
  /** Share of all samples, percent. */
  selfPercent: number;
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  /** Samples in JavaScript or native code, as opposed to (idle). */
  busyPercent: number;
  topFunctions: HotSpot[];
  /** Self time grouped by where the code lives: an npm package, node core, the app's own code, GC. */
  byArea: HotSpot[];
}

/** Where a function lives: `kafkajs`, `@aws-sdk/client-dynamodb`, `node core`, `app`, `(garbage collector)`. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = url.slice(nm + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith("node:")) return "node core";
  return "app";
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, "").replace(/^.*node_modules\//, "").replace(/^.*\/work\/main\//, "");
  return `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`.trim();
}

function top(counts: Map<string, number>, total: number, n: number): HotSpot[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, hits]) => ({ name, selfPercent: Math.round((hits / total) * 1000) / 10 }));
}

/** Self time per function and per area, from the profile's hit counts. */
export function summarizeProfile(profile: CpuProfile, file: string, n = 12): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    if (node.callFrame.functionName === "(idle)") {
      idle += hits;
      continue;
    }
    const name = frameName(node.callFrame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const area = areaOf(node.callFrame);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  return {
    file,
    seconds: Math.round((profile.endTime - profile.startTime) / 1e5) / 10,
    busyPercent: total > 0 ? Math.round(((total - idle) / total) * 1000) / 10 : 0,
    topFunctions: top(byFunction, total, n),
    byArea: top(byArea, total, n),
  };
}

interface DevToolsTarget {
  webSocketDebuggerUrl: string;
}

class DevToolsSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
    socket.addEventListener("close", () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error("inspector connection closed"));
      this.pending.clear();
    });
  }

  static async open(url: string): Promise<DevToolsSession> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${url}`)), { once: true });
    });
    return new DevToolsSession(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

async function inspectorTarget(timeoutMs: number): Promise<DevToolsTarget> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as DevToolsTarget[];
      if (targets[0]) return targets[0];
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no inspector on 127.0.0.1:${inspectorPort} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RunningProfile {
  /** Stops the profiler, writes the .cpuprofile (open it in Chrome DevTools) and summarises it. */
  stop(file: string): Promise<ProfileSummary>;
}

/** Starts V8's sampling profiler in process `pid` (a Node process started without --inspect). */
export async function startCpuProfile(pid: number, samplingIntervalUs = 1000): Promise<RunningProfile> {
  process.kill(pid, "SIGUSR1");
  const target = await inspectorTarget(10_000);
  const session = await DevToolsSession.open(target.webSocketDebuggerUrl);
  const { result } = await session.send<{ result: { value: number } }>("Runtime.evaluate", { expression: "process.pid", returnByValue: true });
  if (result.value !== pid) {
    session.close();
    throw new Error(`the inspector on port ${inspectorPort} belongs to process ${result.value}, not ${pid}`);
  }
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
  await session.send("Profiler.start");
  return {
    async stop(file: string) {
      const { profile } = await session.send<{ profile: CpuProfile }>("Profiler.stop");
      writeFileSync(file, JSON.stringify(profile));
      // Close the inspector in the service again, so the next process can open the port.
      await session.send("Runtime.evaluate", { expression: "process._debugEnd()" }).catch(() => undefined);
      session.close();
      return summarizeProfile(profile, file);
    },
  };
}
