import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../support/stack-file";

const project = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as {
  name: string;
  runtime: { name: string; options: Record<string, unknown> };
  main?: string;
};
const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("Pulumi.yaml", () => {
  it("runs the nodejs runtime with TypeScript through tsx, not Pulumi's vendored ts-node", () => {
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.runtime.options.typescript, false);
    assert.equal(project.runtime.options.nodeargs, "--import tsx");
    assert.ok(pkg.devDependencies.tsx, "tsx must be installed for --import tsx");
  });

  it("finds the program through package.json main", () => {
    assert.equal(project.main, undefined);
    assert.equal(pkg.main, "index.ts");
    assert.ok(existsSync(join(repoRoot, pkg.main)));
  });

  it("has a stack file for every environment", () => {
    for (const env of ["dev", "staging", "prod"]) assert.ok(existsSync(join(repoRoot, `Pulumi.${env}.yaml`)), env);
  });
});
