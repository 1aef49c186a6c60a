// tests/run.ts itself, run as `npm test` runs it, on fixture test files: the closing line CI
// reads, the exit code, and that the engines it started are stopped when it is interrupted.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { countsFromTap, summaryLine } from "../support/tap-counts";
import { engineVariables } from "../support/engines";

const root = resolve(__dirname, "..", "..");
const fixtures = join("tests", "local", "fixtures");

interface HarnessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs tests/run.ts on the given arguments; `onStarted` may interrupt it. */
function runHarness(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStarted?: (pid: number) => void,
): Promise<HarnessRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/run.ts", ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => resolveRun({ code, signal, stdout, stderr }));
    if (child.pid !== undefined) onStarted?.(child.pid);
  });
}

function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

/** Processes whose working directory is inside `dir` (Linux /proc): each engine works in its state dir. */
function processesWorkingIn(dir: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readlinkSync(`/proc/${entry}/cwd`).startsWith(dir);
      } catch {
        return false; // ended while we looked, or not ours to inspect
      }
    })
    .map(Number);
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("tests/run.ts", () => {
  it("ends with 'N passed, N failed, N skipped' alone on the last line and exits 1 when a test fails", async () => {
    // The engines of this run are passed on, so the nested harness uses them instead of starting its own.
    const run = await runHarness([join(fixtures, "mixed.fixture.ts")], process.env);
    assert.equal(lastLine(run.stdout), "2 passed, 1 failed, 1 skipped");
    assert.equal(run.code, 1);
  });

  it("exits 0 and says '1 passed, 0 failed' when every test passes", async () => {
    const run = await runHarness([join(fixtures, "passing.fixture.ts")], process.env);
    assert.equal(lastLine(run.stdout), "1 passed, 0 failed");
    assert.equal(run.code, 0);
  });

  it("refuses an argument that matches no test file, naming it", async () => {
    const run = await runHarness(["tests/no-such-dir/*.test.ts"], process.env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /tests\/no-such-dir\/\*\.test\.ts matches no test file/);
  });

  it("stops the engines it started when interrupted with SIGINT while tests run", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "harness-test-"));
    const marker = join(scratch, "started");
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: scratch, HARNESS_FIXTURE_MARKER: marker };
    for (const variable of Object.values(engineVariables)) delete env[variable];
    try {
      let harnessPid = 0;
      const finished = runHarness([join(fixtures, "waiting.fixture.ts")], env, (pid) => (harnessPid = pid));
      await waitFor(() => existsSync(marker), 60_000, "the fixture test starting");
      // Its engines (Kafka, DynamoDB Local, moto) work in the harness's temporary dir, inside `scratch`.
      const engines = processesWorkingIn(scratch);
      const described = engines.map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 3).join(" "));
      assert.equal(engines.length, 3, `the harness's three engines run while tests run: ${described.join("; ")}`);

      process.kill(harnessPid, "SIGINT");
      const run = await finished;
      assert.equal(run.code, 130);
      assert.deepEqual(processesWorkingIn(scratch), [], "no engine process is left");
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe("countsFromTap", () => {
  it("reads the run's totals, counting cancelled tests as failed and todo as skipped", () => {
    const tap = [
      "TAP version 13",
      "# Subtest: a",
      "    # pass 9",
      "ok 1 - a",
      "1..1",
      "# tests 7",
      "# pass 3",
      "# fail 1",
      "# cancelled 1",
      "# skipped 1",
      "# todo 1",
      "# duration_ms 12.5",
    ].join("\n");
    const counts = countsFromTap(tap);
    assert.deepEqual(counts, { passed: 3, failed: 2, skipped: 2 });
    assert.equal(summaryLine(counts!), "3 passed, 2 failed, 2 skipped");
  });

  it("gives nothing for a run that ended without its summary", () => {
    assert.equal(countsFromTap("TAP version 13\nok 1 - a\n"), undefined);
  });
});
