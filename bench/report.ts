// The bench's result: one JSON document (bench/results/latest.json) and the generated part of
// BENCHMARKS.md, which sits between two markers so the hand-written method and analysis
// around it survive every run.

import type { MachineInfo } from "./machine";
import type { IngestComparison } from "./ingest";
import type { DispatchResult } from "./dispatch";
import type { EndToEndStep } from "./end-to-end";
import type { ProfileSummary } from "./cpu-profile";
import type { UsageReport } from "./proc-usage";
import type { Ceiling } from "./engine-ceiling";

export const dynamoDbOnDisk = "DynamoDB Local on disk (as npm start)";
export const dynamoDbInMemory = "DynamoDB Local in memory";

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  mode: "full" | "quick";
  command: string;
  machine: MachineInfo;
  loadAverageAtEnd: [number, number, number];
  settings: Record<string, string | number | boolean>;
  ceilings: Ceiling[];
  ingest: IngestComparison[];
  dispatch?: DispatchResult;
  endToEnd: { fixed: EndToEndStep[]; ramp: EndToEndStep[]; saturationPerSecond?: number };
  profiles: Record<string, ProfileSummary>;
  ledgersBalanced: boolean;
  targets: TargetCheck[];
}

/** Each variant of the bench (`latest`: as npm start; `dynamodb-memory`) has its own generated section. */
export function sectionMarkers(variant: string): { start: string; end: string } {
  return {
    start: `<!-- bench:results:${variant}:start (written by npm run bench; edit outside the markers) -->`,
    end: `<!-- bench:results:${variant}:end -->`,
  };
}

/** Replaces the variant's generated section of a document, or appends it when its markers are absent. */
export function replaceSection(document: string, section: string, variant = "latest"): string {
  const { start: startMarker, end: endMarker } = sectionMarkers(variant);
  const block = `${startMarker}\n${section.trim()}\n${endMarker}`;
  const start = document.indexOf(startMarker);
  const end = document.indexOf(endMarker);
  if (start >= 0 && end > start) return `${document.slice(0, start)}${block}${document.slice(end + endMarker.length)}`;
  return `${document.trimEnd()}\n\n${block}\n`;
}

export function targetChecks(r: Pick<BenchResult, "ingest" | "dispatch" | "endToEnd">): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const bestIngest = Math.max(0, ...r.ingest.map((c) => c.ratio));
  if (r.ingest.length > 0) checks.push({ target: "gateway ≥ 50% of the bare HTTP baseline (events/s)", measured: `${pct(bestIngest)} at best`, met: bestIngest >= 0.5 });
  if (r.dispatch) checks.push({ target: "dispatcher ≥ 60% of a raw undici loop (deliveries/s)", measured: pct(r.dispatch.ratio), met: r.dispatch.ratio >= 0.6 });
  const steps = [...r.endToEnd.fixed, ...r.endToEnd.ramp];
  const sustained = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.offeredPerSecond));
  if (steps.length > 0) checks.push({ target: "end to end ≥ 2,000 events/s sustained", measured: `${sustained} events/s highest sustained`, met: sustained >= 2000 });
  const at1000 = r.endToEnd.fixed.find((s) => s.offeredPerSecond === 1000 && s.fanOut === 1);
  if (at1000) {
    checks.push({
      target: "p99 ingest-to-delivery < 500 ms at 1,000 events/s",
      measured: `p99 ${ms(at1000.ingestToDeliveryMs.p99)} at ${at1000.acceptedPerSecond} accepted/s (offered 1,000)`,
      met: at1000.sustained && at1000.ingestToDeliveryMs.p99 < 500,
    });
  }
  return checks;
}

/** Milliseconds of CPU a process spent per event (or delivery) in a run: its share of the cost, whatever the machine's load. */
export function cpuMsPerEvent(usage: UsageReport, role: string, eventsPerSecond: number): number | undefined {
  const p = usage.processes.find((x) => x.role === role);
  if (!p || eventsPerSecond <= 0) return undefined;
  return Math.round((p.cpuPercent * 10 * 100) / eventsPerSecond) / 100;
}

const cpuMs = (v: number | undefined) => (v === undefined ? "–" : `${v}`);

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const ms = (v: number | undefined) => (v === undefined ? "–" : `${v} ms`);

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const roles = ["gateway", "admin", "processor", "dispatcher", "kafka", "dynamodb-local", "load generator (bench)", "bench receiver", "baseline server", "durable baseline"];

function usageRow(label: string, u: UsageReport): (string | number)[] {
  const cell = (role: string) => {
    const p = u.processes.find((x) => x.role === role);
    return p ? `${p.cpuPercent}% / ${Math.round(p.peakRssMiB)}` : "–";
  };
  return [label, ...roles.map(cell), `${u.otherCpuPercent}%`, `${u.machineCpuPercent}%`, u.loadAverage1m];
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`### ${r.settings.dynamodb === dynamoDbOnDisk ? "Latest run" : "Comparison run, DynamoDB Local in memory"}: ${r.startedAt.slice(0, 16).replace("T", " ")} UTC (${r.mode})`);
  out.push("");
  out.push(`- Command: \`${r.command}\``);
  out.push(`- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node}; Java: ${m.java}`);
  // One minute's load above the core count means something besides the bench competed for the CPU.
  const busy = (m.loadAverage[0] ?? 0) > m.cores;
  const context = busy ? "the machine was busy with other work when the run started, see \"other\" below" : "nothing else of note was running when the run started";
  out.push(`- Load average at start ${m.loadAverage.join(" / ")}, at end ${r.loadAverageAtEnd.join(" / ")} (1/5/15 min; ${context})`);
  out.push(`- Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  out.push(`- Ledgers: ${r.ledgersBalanced ? "every run balances (published = delivered + in flight + failed, nothing missing)" : "**a ledger did not balance: see the tables**"}`);
  out.push("");

  out.push("#### Targets");
  out.push("");
  out.push(table(["target", "measured", "met"], r.targets.map((t) => [t.target, t.measured, t.met ? "yes" : "**no**"])));
  out.push("");

  if (r.ceilings.length > 0) {
    out.push("#### Engine ceilings (straight from the bench, services idle)");
    out.push("");
    out.push(
      table(
        ["operation", "concurrency", "per second", "p50", "p99", "engine CPU", "busiest thread"],
        r.ceilings.map((c) => [c.what, c.concurrency, c.perSecond, ms(c.latencyMs.p50), ms(c.latencyMs.p99), c.engineCpuPercent === undefined ? "–" : `${c.engineCpuPercent}%`, c.busiestThread ? `${c.busiestThread.name} ${c.busiestThread.cpuPercent}%` : "–"]),
      ),
    );
    out.push("");
  }

  if (r.ingest.length > 0) {
    out.push("#### Gateway ingest (autocannon, single CloudEvents of ~1 KiB)");
    out.push("");
    out.push(
      table(
        ["connections", "gateway events/s", "p50", "p99", "max", "non-2xx / errors", "baseline events/s", "baseline p50", "baseline p99", "ratio", "durable baseline events/s", "durable p50 / p99", "ratio to durable", "on topic / 202s", "CPU ms per event: gateway / DynamoDB Local / Kafka / baseline / durable baseline"],
        r.ingest.map((c) => [
          c.connections,
          c.gateway.acceptedPerSecond,
          ms(c.gateway.latencyMs.p50),
          ms(c.gateway.latencyMs.p99),
          ms(c.gateway.latencyMs.max),
          `${c.gateway.non2xx} / ${c.gateway.errors}`,
          c.baseline.acceptedPerSecond,
          ms(c.baseline.latencyMs.p50),
          ms(c.baseline.latencyMs.p99),
          pct(c.ratio),
          c.durableBaseline?.acceptedPerSecond ?? "–",
          c.durableBaseline ? `${ms(c.durableBaseline.latencyMs.p50)} / ${ms(c.durableBaseline.latencyMs.p99)}` : "–",
          c.durableBaseline ? pct(c.durableRatio) : "–",
          `${c.recordsOnTopic} / ${c.gateway.accepted}${c.durable ? "" : " **LOST**"}`,
          [
            cpuMsPerEvent(c.gateway.usage, "gateway", c.gateway.acceptedPerSecond),
            cpuMsPerEvent(c.gateway.usage, "dynamodb-local", c.gateway.acceptedPerSecond),
            cpuMsPerEvent(c.gateway.usage, "kafka", c.gateway.acceptedPerSecond),
            cpuMsPerEvent(c.baseline.usage, "baseline server", c.baseline.acceptedPerSecond),
            ...(c.durableBaseline ? [cpuMsPerEvent(c.durableBaseline.usage, "durable baseline", c.durableBaseline.acceptedPerSecond)] : []),
          ]
            .map(cpuMs)
            .join(" / "),
        ]),
      ),
    );
    out.push("");
  }

  if (r.dispatch) {
    const d = r.dispatch;
    out.push(`#### Dispatcher (backlog of ${d.backlog} egress records, concurrency ${d.concurrency})`);
    out.push("");
    out.push(
      table(
        ["", "deliveries/s", "seconds", "request p50", "request p99", "duplicates", "unverified", "ledger (delivered + in flight + failed / published)"],
        [
          ["dispatcher", d.dispatcher.perSecond, d.dispatcher.seconds, `≤ ${ms(d.dispatcher.attemptMs.p50)}`, `≤ ${ms(d.dispatcher.attemptMs.p99)}`, d.dispatcher.duplicates, d.dispatcher.unverified, ledgerCell(d.ledger)],
          ["undici loop (baseline)", d.baseline.perSecond, d.baseline.seconds, ms(d.baseline.latencyMs.p50), ms(d.baseline.latencyMs.p99), "–", 0, "–"],
        ],
      ),
    );
    out.push("");
    out.push(
      `Ratio: **${pct(d.ratio)}**. CPU ms per delivery: dispatcher ${cpuMs(cpuMsPerEvent(d.dispatcher.usage, "dispatcher", d.dispatcher.perSecond))}, ` +
        `DynamoDB Local ${cpuMs(cpuMsPerEvent(d.dispatcher.usage, "dynamodb-local", d.dispatcher.perSecond))}, ` +
        `receiver ${cpuMs(cpuMsPerEvent(d.dispatcher.usage, "bench receiver", d.dispatcher.perSecond))}; ` +
        `undici loop ${cpuMs(cpuMsPerEvent(d.baseline.usage, "load generator (bench)", d.baseline.perSecond))}, receiver ${cpuMs(cpuMsPerEvent(d.baseline.usage, "bench receiver", d.baseline.perSecond))}. ` +
        "The dispatcher's request latencies are bucket upper bounds of its own histogram (webhook_delivery_attempt_duration_seconds). " +
        (d.dispatcher.dynamodb
          ? `DynamoDB: ${d.dispatcher.dynamodb.writes} writes in ${d.dispatcher.dynamodb.transactions} transactions (${d.dispatcher.dynamodb.transactions > 0 ? Math.round(d.dispatcher.dynamodb.writes / d.dispatcher.dynamodb.transactions) : 0} writes per transaction, ${d.dispatcher.perSecond > 0 ? (d.dispatcher.dynamodb.writes / d.backlog).toFixed(2) : "–"} per delivery).`
          : ""),
    );
    out.push("");
  }

  const steps = [...r.endToEnd.fixed, ...r.endToEnd.ramp];
  if (steps.length > 0) {
    out.push("#### End to end (open-loop, gateway → processor → dispatcher → receiver)");
    out.push("");
    out.push(
      table(
        ["step", "fan-out", "offered/s", "accepted/s", "delivered/s", "202→delivery p50", "p90", "p99", "p99.9", "max", "before 202", "from intended p99", "not sent / rejected", "drain", "sustained", "ledger"],
        steps.map((s) => [
          s.label,
          s.fanOut,
          s.offeredPerSecond,
          s.acceptedPerSecond,
          s.deliveredPerSecond,
          ms(s.ingestToDeliveryMs.p50),
          ms(s.ingestToDeliveryMs.p90),
          ms(s.ingestToDeliveryMs.p99),
          ms(s.ingestToDeliveryMs.p999),
          ms(s.ingestToDeliveryMs.max),
          s.deliveredBeforeAck,
          ms(s.fromIntendedMs.p99),
          `${s.notSent} / ${Object.values(s.rejected).reduce((a, b) => a + b, 0)}`,
          `${s.drainSeconds} s`,
          s.sustained ? "yes" : "no",
          ledgerCell(s.ledger),
        ]),
      ),
    );
    out.push("");
    if (r.endToEnd.saturationPerSecond !== undefined) {
      const saturated = r.endToEnd.ramp.at(-1)?.sustained === false;
      out.push(
        `Ramp (fan-out 1): highest sustained offered rate **${r.endToEnd.saturationPerSecond} events/s**` +
          (saturated ? "." : " (every step was sustained: the ramp ran out of steps before the platform saturated)."),
      );
    }
    out.push("");
  }

  out.push("#### CPU (average % of one core) / peak RSS (MiB) per process and run");
  out.push("");
  const usageRows: (string | number)[][] = [];
  for (const c of r.ingest) {
    usageRows.push(usageRow(`ingest gateway c=${c.connections}`, c.gateway.usage));
    usageRows.push(usageRow(`ingest baseline c=${c.connections}`, c.baseline.usage));
    if (c.durableBaseline) usageRows.push(usageRow(`ingest durable baseline c=${c.connections}`, c.durableBaseline.usage));
  }
  if (r.dispatch) {
    usageRows.push(usageRow("dispatcher backlog", r.dispatch.dispatcher.usage));
    usageRows.push(usageRow("undici baseline", r.dispatch.baseline.usage));
  }
  for (const s of steps) usageRows.push(usageRow(`e2e ${s.label}`, s.usage));
  out.push(table(["run", ...roles, "other", "machine", "load 1m"], usageRows));
  out.push("");

  const profiles = Object.entries(r.profiles);
  if (profiles.length > 0) {
    out.push("#### CPU profiles (V8 sampling profiler attached to the running service)");
    out.push("");
    for (const [name, p] of profiles) {
      out.push(`- **${name}** (${p.seconds} s, busy ${p.busyPercent}% of samples; \`${p.file}\`): by area ${p.byArea.slice(0, 6).map((a) => `${a.name} ${a.selfPercent}%`).join(", ")}; top functions ${p.topFunctions.slice(0, 5).map((f) => `\`${f.name}\` ${f.selfPercent}%`).join(", ")}`);
    }
    out.push("");
  }
  return out.join("\n");
}

function ledgerCell(l: { delivered: number; inFlight: number; failed: number; published: number; missing: number; balanced: boolean }): string {
  return `${l.delivered} + ${l.inFlight} + ${l.failed} / ${l.published}${l.balanced ? " ✓" : ` **missing ${l.missing}**`}`;
}
