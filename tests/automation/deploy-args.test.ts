import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseDeployArgs, UsageError } from "../../automation/args";

const repo = "/repo";

describe("automation/deploy.ts arguments", () => {
  it("parses a preview of a stack, defaulting to the repository directory", () => {
    assert.deepEqual(parseDeployArgs(["preview", "--stack", "dev"], repo), { command: "preview", stack: "dev", workDir: "/repo", refresh: false });
  });

  it("parses an up with refresh, a work dir and an update message", () => {
    assert.deepEqual(parseDeployArgs(["up", "-s", "acme/webhooks-platform/prod", "--refresh", "--work-dir", "/src/app", "-m", "merge abc123"], repo), {
      command: "up",
      stack: "acme/webhooks-platform/prod",
      workDir: "/src/app",
      refresh: true,
      message: "merge abc123",
    });
  });

  it("refuses a missing or unknown command", () => {
    assert.throws(() => parseDeployArgs(["--stack", "dev"], repo), (e: unknown) => e instanceof UsageError && /expected one command \(preview or up\), got none/.test(e.message));
    assert.throws(() => parseDeployArgs(["destroy", "--stack", "dev"], repo), (e: unknown) => e instanceof UsageError && /unknown command "destroy"; allowed: preview, up/.test(e.message));
  });

  it("requires a stack that is one of the environments", () => {
    assert.throws(() => parseDeployArgs(["preview"], repo), (e: unknown) => e instanceof UsageError && /--stack is required/.test(e.message));
    assert.throws(() => parseDeployArgs(["preview", "--stack", "qa"], repo), (e: unknown) => e instanceof UsageError && /must be one of dev, staging, prod/.test(e.message));
    assert.throws(() => parseDeployArgs(["preview", "--stack", "a b"], repo), (e: unknown) => e instanceof UsageError && /is not a stack name/.test(e.message));
  });

  it("refuses unknown options and a message on preview", () => {
    assert.throws(() => parseDeployArgs(["up", "--stack", "dev", "--yes"], repo), (e: unknown) => e instanceof UsageError && /--yes/.test(e.message));
    assert.throws(() => parseDeployArgs(["preview", "--stack", "dev", "-m", "x"], repo), (e: unknown) => e instanceof UsageError && /applies to up only/.test(e.message));
  });
});
