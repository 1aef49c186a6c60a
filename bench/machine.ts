// What the numbers were measured on: cores, memory, Node and Java, and how busy the machine
// already was (other work on a shared machine makes every number here noisy).

import { spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem, release } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  java: string;
  loadAverage: [number, number, number];
}

function javaVersion(): string {
  // `java -version` writes to stderr; its first line is enough ("openjdk version "17.0.15" ...").
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (result.error) return "not found";
  return `${result.stderr}${result.stdout}`.split("\n")[0]?.trim() ?? "unknown";
}

export function machineInfo(): MachineInfo {
  const [l1, l5, l15] = loadavg();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    java: javaVersion(),
    loadAverage: [l1 ?? 0, l5 ?? 0, l15 ?? 0].map((v) => Math.round(v * 100) / 100) as [number, number, number],
  };
}
