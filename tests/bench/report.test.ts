import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpuMsPerEvent, replaceSection, sectionMarkers, targetChecks } from "../../bench/report";
import { parseBenchArgs } from "../../bench/args";
import type { EndToEndStep } from "../../bench/end-to-end";

const { start: sectionStart, end: sectionEnd } = sectionMarkers("latest");

describe("BENCHMARKS.md generated section", () => {
  it("replaces only what is between the markers, keeping the hand-written text around it", () => {
    const doc = `# Benchmarks\n\nmethod\n\n${sectionStart}\nold numbers\n${sectionEnd}\n\n## Analysis\nwhy\n`;
    const updated = replaceSection(doc, "new numbers");
    assert.equal(updated, `# Benchmarks\n\nmethod\n\n${sectionStart}\nnew numbers\n${sectionEnd}\n\n## Analysis\nwhy\n`);
  });

  it("appends the section when the document has no markers yet", () => {
    assert.equal(replaceSection("# Benchmarks\n", "numbers"), `# Benchmarks\n\n${sectionStart}\nnumbers\n${sectionEnd}\n`);
  });

  it("keeps each variant's section apart: a comparison run leaves the latest run's numbers alone", () => {
    const memory = sectionMarkers("dynamodb-memory");
    const doc = `${sectionStart}\nlatest numbers\n${sectionEnd}\n\n${memory.start}\nold memory numbers\n${memory.end}\n`;
    const updated = replaceSection(doc, "new memory numbers", "dynamodb-memory");
    assert.equal(updated, `${sectionStart}\nlatest numbers\n${sectionEnd}\n\n${memory.start}\nnew memory numbers\n${memory.end}\n`);
  });
});

describe("bench targets", () => {
  const step = (offered: number, sustained: boolean, p99: number): EndToEndStep =>
    ({ label: `s${offered}`, fanOut: 1, offeredPerSecond: offered, acceptedPerSecond: offered, sustained, ingestToDeliveryMs: { count: 1, p50: 1, p90: 1, p99, p999: p99, max: p99 } }) as EndToEndStep;

  it("meets the latency target only when the 1,000 events/s step was sustained with p99 under 500 ms", () => {
    const met = targetChecks({ ingest: [], endToEnd: { fixed: [step(1000, true, 120)], ramp: [] } });
    assert.equal(met.find((c) => c.target.startsWith("p99"))?.met, true);
    const unsustained = targetChecks({ ingest: [], endToEnd: { fixed: [step(1000, false, 120)], ramp: [] } });
    assert.equal(unsustained.find((c) => c.target.startsWith("p99"))?.met, false);
  });

  it("takes the highest sustained rate of fixed and ramp steps for the throughput target", () => {
    const checks = targetChecks({ ingest: [], endToEnd: { fixed: [step(2000, false, 900)], ramp: [step(500, true, 50), step(750, false, 90)] } });
    const throughput = checks.find((c) => c.target.startsWith("end to end"))!;
    assert.equal(throughput.met, false);
    assert.match(throughput.measured, /^500 events\/s/);
  });
});

describe("bench arguments", () => {
  it("runs every phase in full mode by default", () => {
    assert.deepEqual(parseBenchArgs([]), { quick: false, only: ["engines", "ingest", "dispatch", "e2e"], dynamodb: "disk", profile: true });
  });

  it("names the allowed values when a phase or option is unknown", () => {
    assert.throws(() => parseBenchArgs(["--only=ingest,warp"]), /unknown phase "warp"; allowed: engines, ingest, dispatch, e2e/);
    assert.throws(() => parseBenchArgs(["--dynamodb=ssd"]), /"ssd" is not allowed; use disk/);
    assert.throws(() => parseBenchArgs(["--fast"]), /unknown argument "--fast"/);
  });
});

describe("CPU cost per event", () => {
  it("turns a process's average CPU and the run's rate into CPU milliseconds per event", () => {
    const usage = { seconds: 10, machineCpuPercent: 150, otherCpuPercent: 0, loadAverage1m: 1, processes: [{ role: "gateway", pid: 1, cpuPercent: 40, peakCpuPercent: 50, rssMiB: 100, peakRssMiB: 120 }] };
    assert.equal(cpuMsPerEvent(usage, "gateway", 200), 2);
    assert.equal(cpuMsPerEvent(usage, "kafka", 200), undefined);
    assert.equal(cpuMsPerEvent(usage, "gateway", 0), undefined);
  });
});
