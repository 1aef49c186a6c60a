import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { areaOf, summarizeProfile, type CpuProfile } from "../../bench/cpu-profile";

const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber, scriptId: "0", columnNumber: 0 });

describe("CPU profile summary", () => {
  it("groups code by npm package (scoped or not), node core, the app and V8's own entries", () => {
    assert.equal(areaOf(frame("send", "file:///w/node_modules/kafkajs/src/producer/index.js")), "kafkajs");
    assert.equal(areaOf(frame("x", "file:///w/node_modules/@smithy/core/dist-cjs/index.js")), "@smithy/core");
    assert.equal(areaOf(frame("writev", "node:internal/stream_base_commons")), "node core");
    assert.equal(areaOf(frame("handle", "file:///w/apps/gateway/ingest.ts")), "app");
    assert.equal(areaOf(frame("(garbage collector)")), "(garbage collector)");
  });

  it("ranks self time per function and per area as shares of all samples, idle excluded from busy", () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 2_000_000,
      nodes: [
        { id: 1, callFrame: frame("(root)"), hitCount: 0 },
        { id: 2, callFrame: frame("(idle)"), hitCount: 50 },
        { id: 3, callFrame: frame("sendBatch", "file:///w/node_modules/kafkajs/src/producer/index.js", 9), hitCount: 30 },
        { id: 4, callFrame: frame("ingest", "file:///work/main/apps/gateway/ingest.ts", 41), hitCount: 15 },
        { id: 5, callFrame: frame("sendBatch", "file:///w/node_modules/kafkajs/src/producer/index.js", 9), hitCount: 5 },
      ],
    };
    const s = summarizeProfile(profile, "p.cpuprofile");
    assert.equal(s.seconds, 2);
    assert.equal(s.busyPercent, 50);
    assert.deepEqual(s.topFunctions[0], { name: "sendBatch kafkajs/src/producer/index.js:10", selfPercent: 35 });
    assert.deepEqual(s.topFunctions[1], { name: "ingest apps/gateway/ingest.ts:42", selfPercent: 15 });
    assert.deepEqual(s.byArea, [{ name: "kafkajs", selfPercent: 35 }, { name: "app", selfPercent: 15 }]);
  });
});
