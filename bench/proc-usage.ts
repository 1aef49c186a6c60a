// CPU and memory of each process taking part in a run, read from /proc: the services, Kafka,
// DynamoDB Local, the bench's own helpers and the load generator (this process). The whole
// machine's busy time is read too, so the CPU taken by anything else on a shared machine
// shows as "other".

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface StatFields {
  ppid: number;
  /** user + system CPU time, in clock ticks. */
  cpuTicks: number;
  rssPages: number;
}

/** Parses /proc/<pid>/stat; the command name in parentheses may itself hold spaces or parentheses. */
export function parseStat(text: string): StatFields {
  const rest = text.slice(text.lastIndexOf(")") + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  return { ppid: field(4), cpuTicks: field(14) + field(15), rssPages: field(24) };
}

/** Busy and total ticks of the whole machine, from the first line of /proc/stat. */
export function parseMachineStat(text: string): { busy: number; total: number } {
  const cpu = (text.split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** The role of a process in the bench, from its command line; undefined for one we do not track. */
export function roleOf(cmdline: string, selfPid: number, pid: number): string | undefined {
  if (pid === selfPid) return "load generator (bench)";
  for (const service of ["gateway", "admin", "processor", "dispatcher"]) {
    if (cmdline.includes(`apps/${service}/main.ts`)) return service;
  }
  if (cmdline.includes("kafka.Kafka")) return "kafka";
  if (cmdline.includes("dynamodbv2.local")) return "dynamodb-local";
  if (cmdline.includes("bench/baseline-server.ts")) return "baseline server";
  if (cmdline.includes("bench/durable-baseline-server.ts")) return "durable baseline";
  if (cmdline.includes("bench/receiver-process.ts")) return "bench receiver";
  return undefined;
}

/** CPU as a percentage of one core over an interval (200% = two cores busy). */
export function cpuPercent(ticksDelta: number, ticksPerSecond: number, wallMs: number): number {
  if (wallMs <= 0) return 0;
  return (ticksDelta / ticksPerSecond / (wallMs / 1000)) * 100;
}

export interface ProcessUsage {
  role: string;
  pid: number;
  /** Average over the window, % of one core. */
  cpuPercent: number;
  /** Highest one-second average seen in the window, % of one core. */
  peakCpuPercent: number;
  rssMiB: number;
  peakRssMiB: number;
}

export interface UsageReport {
  seconds: number;
  processes: ProcessUsage[];
  /** Whole machine, % of one core (cores × 100 = fully busy). */
  machineCpuPercent: number;
  /** Machine CPU not taken by the processes above: other agents, the kernel, the bench's tools. */
  otherCpuPercent: number;
  loadAverage1m: number;
}

interface Tracked {
  role: string;
  pid: number;
  firstTicks: number;
  lastTicks: number;
  lastAt: number;
  peakCpu: number;
  rssPages: number;
  peakRssPages: number;
}

function systemConstant(name: string, fallback: number): number {
  try {
    return Number(execFileSync("getconf", [name], { encoding: "utf8" }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

const ticksPerSecond = systemConstant("CLK_TCK", 100);
const pageBytes = systemConstant("PAGESIZE", 4096);

function readStat(pid: number): StatFields | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // exited
  }
}

/** This process and every descendant, with their roles. */
export function benchProcesses(selfPid = process.pid): { pid: number; role: string }[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const family = new Set<number>([selfPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!family.has(pid) && family.has(ppid)) {
        family.add(pid);
        grew = true;
      }
    }
  }
  const found: { pid: number; role: string }[] = [];
  for (const pid of family) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    const role = roleOf(cmdline, selfPid, pid);
    if (role) found.push({ pid, role });
  }
  return found;
}

/** CPU ticks so far of each thread of a process, by "tid:name" (a JVM names its threads, e.g. SQLiteQueue). */
export function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      ticks.set(`${tid}:${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}`, parseStat(stat).cpuTicks);
    } catch {
      // thread ended
    }
  }
  return ticks;
}

/** The thread that used the most CPU between two threadTicks readings, as % of one core. */
export function busiestThread(before: Map<string, number>, after: Map<string, number>, wallMs: number): { name: string; cpuPercent: number } | undefined {
  let best: { name: string; cpuPercent: number } | undefined;
  for (const [thread, ticks] of after) {
    const cpu = cpuPercent(ticks - (before.get(thread) ?? 0), ticksPerSecond, wallMs);
    if (!best || cpu > best.cpuPercent) best = { name: thread.replace(/^\d+:/, ""), cpuPercent: Math.round(cpu) };
  }
  return best;
}

/** CPU of a whole process between two readings, % of one core. */
export function processCpuPercent(pid: number, sinceTicks: number, wallMs: number): number {
  const stat = readStat(pid);
  return stat ? Math.round(cpuPercent(stat.cpuTicks - sinceTicks, ticksPerSecond, wallMs)) : 0;
}

export function processTicks(pid: number): number {
  return readStat(pid)?.cpuTicks ?? 0;
}

function machineTicks(): { busy: number; total: number } {
  return parseMachineStat(readFileSync("/proc/stat", "utf8"));
}

/** Samples every second from `start()` until `end()`, which returns the window's usage. */
export class UsageWindow {
  private readonly tracked: Tracked[];
  private readonly startedAt = performance.now();
  private readonly machineStart = machineTicks();
  private readonly timer: NodeJS.Timeout;

  constructor(processes = benchProcesses()) {
    const now = performance.now();
    this.tracked = processes.flatMap(({ pid, role }) => {
      const stat = readStat(pid);
      return stat ? [{ role, pid, firstTicks: stat.cpuTicks, lastTicks: stat.cpuTicks, lastAt: now, peakCpu: 0, rssPages: stat.rssPages, peakRssPages: stat.rssPages }] : [];
    });
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    for (const t of this.tracked) {
      const stat = readStat(t.pid);
      if (!stat) continue;
      t.peakCpu = Math.max(t.peakCpu, cpuPercent(stat.cpuTicks - t.lastTicks, ticksPerSecond, now - t.lastAt));
      t.lastTicks = stat.cpuTicks;
      t.lastAt = now;
      t.rssPages = stat.rssPages;
      t.peakRssPages = Math.max(t.peakRssPages, stat.rssPages);
    }
  }

  end(): UsageReport {
    clearInterval(this.timer);
    this.sample();
    const wallMs = performance.now() - this.startedAt;
    const machine = machineTicks();
    const mib = (pages: number) => Math.round(((pages * pageBytes) / 1048576) * 10) / 10;
    const processes = this.tracked
      .map((t) => ({
        role: t.role,
        pid: t.pid,
        cpuPercent: Math.round(cpuPercent(t.lastTicks - t.firstTicks, ticksPerSecond, wallMs)),
        peakCpuPercent: Math.round(t.peakCpu),
        rssMiB: mib(t.rssPages),
        peakRssMiB: mib(t.peakRssPages),
      }))
      .sort((a, b) => b.cpuPercent - a.cpuPercent);
    const total = machine.total - this.machineStart.total;
    const cores = total > 0 ? (total / ticksPerSecond / (wallMs / 1000)) : 1;
    const machineCpu = total > 0 ? ((machine.busy - this.machineStart.busy) / total) * cores * 100 : 0;
    const ours = processes.reduce((sum, p) => sum + p.cpuPercent, 0);
    return {
      seconds: Math.round(wallMs / 100) / 10,
      processes,
      machineCpuPercent: Math.round(machineCpu),
      otherCpuPercent: Math.max(0, Math.round(machineCpu - ours)),
      loadAverage1m: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
    };
  }
}
