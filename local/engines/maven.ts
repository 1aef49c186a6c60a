// Fetches Java artifacts and their runtime dependencies from Maven Central into the cache, with
// the real Maven client (it honours the user's ~/.m2/settings.xml mirrors and proxies):
// a generated pom, then `dependency:copy-dependencies`. One folder of jars per engine version.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "./cache";
import { hasCommand, requireCommand, maven, java } from "./prerequisites";
import { runCommand } from "./process";

export interface MavenArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  /** Packaging type when not a jar, e.g. `so` for a native library. */
  readonly type?: string;
}

/** Pinned: the plugin's default version differs between Maven releases. */
const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";
const COMPLETE_MARKER = ".complete";
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

function pom(name: string, artifacts: readonly MavenArtifact[]): string {
  const dependencies = artifacts
    .map(
      (a) =>
        `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId>` +
        `<version>${a.version}</version>${a.type ? `<type>${a.type}</type>` : ""}</dependency>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.webhooks-platform.engines</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

function folderName(name: string, artifacts: readonly MavenArtifact[]): string {
  const digest = createHash("sha256").update(JSON.stringify(artifacts)).digest("hex").slice(0, 12);
  return `${name}-${digest}`;
}

/**
 * Returns a folder holding the artifacts and all their runtime dependencies (jars, and the
 * native libraries asked for by type). Downloads on first use; later calls return at once.
 * Concurrent first calls (parallel test runs) each download into their own folder and the
 * first to finish wins the rename.
 */
export async function fetchArtifacts(name: string, artifacts: readonly MavenArtifact[]): Promise<string> {
  const root = join(cacheDir(), "maven");
  const target = join(root, folderName(name, artifacts));
  if (existsSync(join(target, COMPLETE_MARKER))) return target;

  await requireCommand(maven);
  await requireCommand(java);
  const work = `${target}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    writeFileSync(join(work, "pom.xml"), pom(name, artifacts));
    const mvnArgs = [
      "mvn",
      "-q",
      "-B",
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${join(work, "lib")}`,
      "-Dmdep.includeScope=runtime",
    ];
    // Maven 3.8 does not lock its local repository: parallel first runs (several test runs on
    // one machine) take turns through flock, where it exists.
    const command = (await hasCommand("flock")) ? ["flock", join(root, ".mvn.lock"), ...mvnArgs] : mvnArgs;
    const result = await runCommand(command[0]!, command.slice(1), { cwd: work, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (result.code !== 0) {
      throw new Error(
        `downloading ${name} from Maven Central failed (mvn exit ${result.code}):\n${result.output.slice(-4000)}`,
      );
    }
    writeFileSync(join(work, COMPLETE_MARKER), new Date().toISOString());
    if (existsSync(target) && !existsSync(join(target, COMPLETE_MARKER))) {
      rmSync(target, { recursive: true, force: true }); // an unfinished folder from an older layout
    }
    try {
      renameSync(work, target);
    } catch (error) {
      // Another run finished first; its folder is as good as ours.
      if (!existsSync(join(target, COMPLETE_MARKER))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

/** The folder of jars (and native libraries) inside a fetched artifact folder. */
export function libDir(fetched: string): string {
  return join(fetched, "lib");
}
