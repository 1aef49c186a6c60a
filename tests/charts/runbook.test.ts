// docs/runbook.md names namespaces, objects, label selectors and Helm releases in its
// commands: each must exist in what the charts render (with prod values) where the command
// looks for it.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceNames } from "../../model/access";
import { namespaces, serviceNamespaces } from "../../model/kubernetes";
import { servicePorts } from "../../model/ports";
import { Helm, type Manifest } from "./helm";

const runbook = readFileSync(join(__dirname, "..", "..", "docs", "runbook.md"), "utf8");

/** Command lines inside the runbook's fenced code blocks that run kubectl or helm. */
const commands = [...runbook.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.replace(/\\\n/g, " ").split("\n"))
  .filter((l) => /\b(kubectl|helm)\b/.test(l));

const kinds: Record<string, string> = {
  deploy: "Deployment",
  svc: "Service",
  hpa: "HorizontalPodAutoscaler",
  ingress: "Ingress",
  networkpolicy: "NetworkPolicy",
  serviceaccount: "ServiceAccount",
};

let helm: Helm;
const rendered: Manifest[] = [];
before(() => {
  helm = Helm.prepare();
  for (const service of serviceNames) {
    rendered.push(...helm.renderToFile(service, serviceNamespaces[service], [helm.ciValues(service, "prod")], `runbook-${service}`).manifests);
  }
});
after(() => helm?.cleanup());

function matches(m: Manifest, selector: string): boolean {
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return m.metadata.labels?.[key!] === value;
  });
}

describe("docs/runbook.md", () => {
  it("has kubectl and helm commands to check", () => {
    assert.ok(commands.length >= 20, `found ${commands.length} commands`);
  });

  it("uses only the platform's namespaces", () => {
    const known = new Set<string>(Object.values(namespaces));
    for (const line of commands) {
      for (const m of line.matchAll(/(?:^|\s)-n "?([a-z$][\w-]*)"?/g)) {
        if (m[1]!.startsWith("$")) continue;
        assert.ok(known.has(m[1]!), `unknown namespace "${m[1]}" in: ${line}`);
      }
    }
  });

  it("names objects that the charts render in the namespace the command looks in", () => {
    let checked = 0;
    for (const line of commands) {
      const ns = /(?:^|\s)-n ([a-z][\w-]*)/.exec(line)?.[1];
      const refs = [
        ...[...line.matchAll(/\b(deploy|svc)\/([a-z-]+)/g)].map((m) => [m[1]!, m[2]!]),
        ...[...line.matchAll(/\b(?:get|patch) (hpa|ingress|networkpolicy|serviceaccount) ([a-z-]+)/g)].map((m) => [m[1]!, m[2]!]),
      ];
      for (const [kind, name] of refs) {
        assert.ok(ns, `no namespace in: ${line}`);
        const found = rendered.find((m) => m.kind === kinds[kind!] && m.metadata.name === name && m.metadata.namespace === ns);
        assert.ok(found, `${kinds[kind!]} ${name} is not rendered in ${ns} (${line})`);
        checked++;
      }
    }
    assert.ok(checked >= 15, `checked ${checked} object references`);
  });

  it("selects with labels that the rendered objects carry", () => {
    let checked = 0;
    for (const line of commands) {
      const ns = /(?:^|\s)-n "?([a-z$][\w-]*)"?/.exec(line)?.[1];
      for (const m of line.matchAll(/(?:^|\s)-l (\S+)/g)) {
        const selector = m[1]!;
        const candidates = rendered.filter((r) => !ns || ns.startsWith("$") || r.metadata.namespace === ns);
        assert.ok(candidates.some((r) => matches(r, selector)), `nothing rendered${ns ? ` in ${ns}` : ""} matches -l ${selector} (${line})`);
        checked++;
      }
    }
    assert.ok(checked >= 5, `checked ${checked} selectors`);
  });

  it("addresses Helm releases by their service's name and namespace", () => {
    let checked = 0;
    for (const line of commands) {
      const m = /helm -n ([a-z-]+) (?:history|rollback) ([a-z-]+)/.exec(line);
      if (!m) continue;
      const service = m[2] as (typeof serviceNames)[number];
      assert.ok(serviceNames.includes(service), `unknown release ${m[2]}`);
      assert.equal(serviceNamespaces[service], m[1], line);
      checked++;
    }
    assert.ok(checked >= 2);
  });

  it("port-forwards to each service's own port", () => {
    for (const line of commands) {
      const m = /-n [a-z-]+ port-forward (?:deploy|svc)\/([a-z-]+) ([0-9]+):http/.exec(line);
      if (!m) continue;
      assert.equal(Number(m[2]), servicePorts[m[1] as (typeof serviceNames)[number]].port, line);
    }
  });
});
