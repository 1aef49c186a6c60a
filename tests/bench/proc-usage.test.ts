import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { benchProcesses, busiestThread, cpuPercent, parseMachineStat, parseStat, roleOf, UsageWindow } from "../../bench/proc-usage";

describe("per-process CPU and memory from /proc", () => {
  it("reads ppid, CPU ticks and RSS from a stat line whose command name holds spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[4 - 3] = "77"; // ppid
    fields[14 - 3] = "120"; // utime
    fields[15 - 3] = "30"; // stime
    fields[24 - 3] = "2560"; // rss pages
    const stat = parseStat(`4242 (node (worker) x) ${fields.join(" ")}`);
    assert.deepEqual(stat, { ppid: 77, cpuTicks: 150, rssPages: 2560 });
  });

  it("counts idle and iowait as not busy in the machine's CPU line", () => {
    assert.deepEqual(parseMachineStat("cpu  100 5 50 800 40 0 5 0 0 0\ncpu0 1 2 3"), { busy: 160, total: 1000 });
  });

  it("names services, engines and the bench's helpers from their command lines", () => {
    assert.equal(roleOf("node --import tsx apps/dispatcher/main.ts", 1, 2), "dispatcher");
    assert.equal(roleOf("java -Xmx512m -cp /x/* kafka.Kafka /s/server.properties", 1, 2), "kafka");
    assert.equal(roleOf("java -cp /x/* com.amazonaws.services.dynamodbv2.local.main.ServerRunner -port 1", 1, 2), "dynamodb-local");
    assert.equal(roleOf("node --import tsx /w/bench/receiver-process.ts", 1, 2), "bench receiver");
    assert.equal(roleOf("node --import tsx /w/bench/baseline-server.ts", 1, 2), "baseline server");
    assert.equal(roleOf("node --import tsx /w/bench/durable-baseline-server.ts", 1, 2), "durable baseline");
    assert.equal(roleOf("anything", 7, 7), "load generator (bench)");
    assert.equal(roleOf("bash -c sleep 1", 1, 2), undefined);
  });

  it("expresses CPU time as a percentage of one core", () => {
    assert.equal(cpuPercent(150, 100, 1000), 150);
    assert.equal(cpuPercent(50, 100, 2000), 25);
    assert.equal(cpuPercent(10, 100, 0), 0);
  });

  it("measures this process's own CPU over a window of busy work", async () => {
    const window = new UsageWindow(benchProcesses());
    const until = performance.now() + 400;
    while (performance.now() < until) Math.sqrt(Math.random());
    const report = window.end();
    const self = report.processes.find((p) => p.role === "load generator (bench)");
    assert.ok(self, "this process is tracked");
    assert.ok(self.cpuPercent >= 20, `busy loop measured at ${self.cpuPercent}%`);
    assert.ok(self.rssMiB > 10);
  });
});

describe("busiest thread of an engine", () => {
  it("names the thread that used the most CPU between two readings, without its thread id", () => {
    const before = new Map([["101:SQLiteQueue[shared]", 100], ["102:qtp-1", 50]]);
    const after = new Map([["101:SQLiteQueue[shared]", 180], ["102:qtp-1", 60], ["103:new-thread", 5]]);
    const busiest = busiestThread(before, after, 1000);
    assert.equal(busiest?.name, "SQLiteQueue[shared]");
    assert.ok((busiest?.cpuPercent ?? 0) > 0);
  });
});
