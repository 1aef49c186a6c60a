// Runs helm and kubernetes-validate for the chart tests. The charts are copied to a temporary
// folder per test file and their library dependency is vendored there with
// `helm dependency update`, so nothing generated lands in the repository and test files that
// run at the same time do not race on charts/*/charts/.

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { serviceNames, type ServiceName } from "../../model/access";

export const repoChartsDir = resolve(__dirname, "..", "..", "charts");
export const stackEnvs = ["dev", "staging", "prod"] as const;
export type StackEnv = (typeof stackEnvs)[number];
export const kubernetesVersion = "1.31.0";

/** A Kubernetes object as parsed from rendered YAML. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

function goBinDirs(): string[] {
  try {
    const gobin = execFileSync("go", ["env", "GOBIN"], { encoding: "utf8" }).trim();
    const gopath = execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim();
    return [gobin, gopath ? join(gopath, "bin") : ""].filter(Boolean);
  } catch {
    return [];
  }
}

/** PATH plus the folders `go install` puts binaries in (.ci/install-tools.sh builds helm there). */
function toolPath(): string {
  return [process.env.PATH ?? "", ...goBinDirs()].join(delimiter);
}

const env = { ...process.env, PATH: toolPath() };

function findTool(name: string): string {
  for (const dir of env.PATH.split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed (looked in PATH and the Go bin folders): run .ci/install-tools.sh`);
}

export class Helm {
  readonly chartsDir: string;
  private readonly helmBin: string;
  private readonly home: string;

  private constructor() {
    this.helmBin = findTool("helm");
    this.home = mkdtempSync(join(tmpdir(), "chart-tests-"));
    this.chartsDir = join(this.home, "charts");
    cpSync(repoChartsDir, this.chartsDir, {
      recursive: true,
      // Leave out what a local `helm dependency update` may have left: it is rebuilt here.
      filter: (src) => !/^[^/]+\/(charts|Chart\.lock)$/.test(relative(repoChartsDir, src)),
    });
  }

  /** Copies the charts and vendors platform-lib into each service chart. */
  static prepare(): Helm {
    const helm = new Helm();
    for (const service of serviceNames) helm.mustRun(["dependency", "update", "--skip-refresh", helm.chartDir(service)]);
    return helm;
  }

  chartDir(chart: string): string {
    return join(this.chartsDir, chart);
  }

  ciValues(service: ServiceName, stackEnv: StackEnv): string {
    return join(this.chartDir(service), "ci", `${stackEnv}-values.yaml`);
  }

  /** Writes extra values to a file and returns its path, for `-f`. */
  valuesFile(name: string, content: string): string {
    const file = join(this.home, `${name}.yaml`);
    writeFileSync(file, content);
    return file;
  }

  run(args: string[]): RunResult {
    const r = spawnSync(this.helmBin, args, {
      encoding: "utf8",
      env: {
        ...env,
        HELM_CACHE_HOME: join(this.home, "cache"),
        HELM_CONFIG_HOME: join(this.home, "config"),
        HELM_DATA_HOME: join(this.home, "data"),
      },
    });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  mustRun(args: string[]): string {
    const r = this.run(args);
    if (r.status !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** `helm template` of a service chart as the Services component installs it: release named after the chart, in its namespace. */
  template(service: ServiceName, namespace: string, valueFiles: string[]): RunResult {
    return this.run(["template", service, this.chartDir(service), "--namespace", namespace, ...valueFiles.flatMap((f) => ["-f", f])]);
  }

  renderToFile(service: ServiceName, namespace: string, valueFiles: string[], name: string): { file: string; manifests: Manifest[] } {
    const r = this.template(service, namespace, valueFiles);
    if (r.status !== 0) throw new Error(`helm template ${service} failed:\n${r.stderr}`);
    const file = join(this.home, `${name}.yaml`);
    writeFileSync(file, r.stdout);
    return { file, manifests: parseManifests(r.stdout) };
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export interface SchemaValidation {
  ok: boolean;
  failures: string[];
}

/**
 * Validates rendered manifests against the Kubernetes JSON schemas that the PyPI package
 * kubernetes-validate ships (offline, strict: unknown fields are errors).
 */
export function validateManifests(files: string[], version = kubernetesVersion): SchemaValidation {
  const r = spawnSync("python3", ["-m", "kubernetes_validate", "-k", version, "--strict", "--quiet", ...files], { encoding: "utf8", env });
  if (r.error) throw new Error(`python3 is not installed: ${r.error.message}`);
  const output = `${r.stdout}${r.stderr}`;
  if (/No module named kubernetes_validate/.test(output)) {
    throw new Error("kubernetes-validate is not installed (pip install kubernetes-validate): run .ci/install-tools.sh");
  }
  const failures = output.split("\n").filter((l) => /^(ERROR|WARN)/.test(l));
  return { ok: r.status === 0 && failures.length === 0, failures };
}

export function readText(file: string): string {
  return readFileSync(file, "utf8");
}
