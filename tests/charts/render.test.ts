// `helm template` of every service chart with every environment's values (charts/<svc>/ci),
// validated offline against the Kubernetes 1.31 schemas, then checked object by object.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serviceNames, type ServiceName } from "../../model/access";
import { servicePorts, mskIamPort } from "../../model/ports";
import { serviceAccountName, serviceNamespaces, partOfLabel } from "../../model/kubernetes";
import { chartProfiles, kafkaRolesOf } from "../../charts/values-schema";
import { Helm, stackEnvs, validateManifests, type Manifest, type StackEnv } from "./helm";

interface Rendered {
  service: ServiceName;
  env: StackEnv;
  file: string;
  manifests: Manifest[];
}

let helm: Helm;
const rendered: Rendered[] = [];

before(() => {
  helm = Helm.prepare();
  for (const service of serviceNames) {
    for (const env of stackEnvs) {
      const { file, manifests } = helm.renderToFile(service, serviceNamespaces[service], [helm.ciValues(service, env)], `${service}-${env}`);
      rendered.push({ service, env, file, manifests });
    }
  }
});

after(() => helm?.cleanup());

function only(r: Rendered, kind: string): Manifest {
  const found = r.manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `${r.service} (${r.env}) renders ${found.length} ${kind} objects; expected exactly 1`);
  return found[0]!;
}

function podSpec(r: Rendered): any {
  return only(r, "Deployment").spec.template.spec;
}

function container(r: Rendered): any {
  const containers = podSpec(r).containers;
  assert.equal(containers.length, 1, `${r.service} (${r.env}) has ${containers.length} containers`);
  return containers[0];
}

function each(check: (r: Rendered) => void): void {
  assert.equal(rendered.length, serviceNames.length * stackEnvs.length, "every chart rendered for every environment");
  for (const r of rendered) check(r);
}

describe("service charts rendered per environment", () => {
  it("validate against the Kubernetes 1.31 schemas, strictly (unknown fields fail)", () => {
    const result = validateManifests(rendered.map((r) => r.file));
    assert.ok(result.ok, `schema validation failed:\n${result.failures.join("\n")}`);
  });

  it("render a Deployment, Service, ServiceAccount, ConfigMap, PodDisruptionBudget and NetworkPolicy for every service", () =>
    each((r) => {
      for (const kind of ["Deployment", "Service", "ServiceAccount", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy"]) only(r, kind);
    }));

  it("put the standard labels on every object, part-of webhooks-platform", () =>
    each((r) => {
      for (const m of r.manifests) {
        const labels = m.metadata.labels ?? {};
        for (const key of ["name", "instance", "version", "component", "part-of", "managed-by"]) {
          assert.ok(labels[`app.kubernetes.io/${key}`], `${r.service} (${r.env}) ${m.kind} lacks app.kubernetes.io/${key}`);
        }
        assert.ok(labels["helm.sh/chart"], `${m.kind} lacks helm.sh/chart`);
        assert.equal(labels["app.kubernetes.io/part-of"], partOfLabel);
        assert.equal(labels["app.kubernetes.io/name"], r.service);
        assert.equal(labels["app.kubernetes.io/component"], chartProfiles[r.service].component);
        assert.equal(m.metadata.namespace, serviceNamespaces[r.service], `${m.kind} is in the service's namespace`);
      }
    }));

  it("probe /healthz for liveness and /readyz for readiness on the service's HTTP port from model/ports.ts", () =>
    each((r) => {
      const c = container(r);
      assert.deepEqual(c.ports, [{ name: "http", containerPort: servicePorts[r.service].port, protocol: "TCP" }]);
      assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "http" });
      assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "http" });
      const service = only(r, "Service");
      assert.equal(service.spec.type, "ClusterIP");
      assert.deepEqual(service.spec.ports, [{ name: "http", port: servicePorts[r.service].port, targetPort: "http", protocol: "TCP" }]);
    }));

  it("start the service's compiled entry point, the one apps/Dockerfile builds", () =>
    each((r) => assert.deepEqual(container(r).command, ["node", `dist/apps/${r.service}/main.js`])));

  it("request CPU and memory and limit memory", () =>
    each((r) => {
      const { requests, limits } = container(r).resources;
      assert.match(String(requests.cpu), /^[0-9.]+m?$/, `${r.service} (${r.env}) cpu request`);
      assert.match(String(requests.memory), /^[0-9]+(Mi|Gi)$/, `${r.service} (${r.env}) memory request`);
      assert.match(String(limits.memory), /^[0-9]+(Mi|Gi)$/, `${r.service} (${r.env}) memory limit`);
    }));

  it("run restricted: non-root, read-only root filesystem with an emptyDir /tmp, no privilege escalation, no capabilities, RuntimeDefault seccomp", () =>
    each((r) => {
      const pod = podSpec(r);
      const sc = container(r).securityContext;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(pod.securityContext.runAsUser > 0, "pod runs as a non-zero uid");
      assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
      assert.equal(sc.runAsNonRoot, true);
      assert.ok(sc.runAsUser > 0, "container runs as a non-zero uid");
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities.drop, ["ALL"]);
      assert.equal(sc.capabilities.add, undefined);
      assert.equal(sc.seccompProfile.type, "RuntimeDefault");
      const tmp = container(r).volumeMounts.find((v: any) => v.mountPath === "/tmp");
      assert.ok(tmp, "/tmp is mounted");
      assert.ok(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir, "/tmp is an emptyDir");
    }));

  it("spread pods across zones and hosts", () =>
    each((r) => {
      const keys = podSpec(r).topologySpreadConstraints.map((t: any) => t.topologyKey);
      assert.deepEqual(keys.sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
      for (const t of podSpec(r).topologySpreadConstraints) {
        assert.deepEqual(t.labelSelector.matchLabels, only(r, "Deployment").spec.selector.matchLabels);
      }
    }));

  it("terminate gracefully: a preStop sleep shorter than the grace period, so the ALB deregisters the pod before SIGTERM", () =>
    each((r) => {
      const sleep = container(r).lifecycle.preStop.sleep.seconds;
      assert.ok(sleep > 0, "preStop sleeps");
      assert.ok(podSpec(r).terminationGracePeriodSeconds > sleep, "grace period outlasts the preStop sleep");
    }));

  it("expose /metrics for Prometheus on the HTTP port", () =>
    each((r) => {
      const annotations = only(r, "Deployment").spec.template.metadata.annotations;
      assert.equal(annotations["prometheus.io/scrape"], "true");
      assert.equal(annotations["prometheus.io/port"], String(servicePorts[r.service].port));
      assert.equal(annotations["prometheus.io/path"], "/metrics");
    }));

  it("run as the service's ServiceAccount, annotated with its IRSA role", () =>
    each((r) => {
      const sa = only(r, "ServiceAccount");
      assert.equal(sa.metadata.name, serviceAccountName(r.service), "the name the IRSA trust policy names");
      assert.match(sa.metadata.annotations?.["eks.amazonaws.com/role-arn"] ?? "", /^arn:aws:iam::[0-9]{12}:role\/.+/);
      assert.equal(podSpec(r).serviceAccountName, sa.metadata.name);
    }));

  it("keep pods available through disruptions: minAvailable 1 and at least 2 replicas outside dev", () =>
    each((r) => {
      const pdb = only(r, "PodDisruptionBudget");
      assert.deepEqual(pdb.spec.selector.matchLabels, only(r, "Deployment").spec.selector.matchLabels);
      if (r.env === "dev") return;
      assert.equal(pdb.spec.minAvailable, 1, `${r.service} (${r.env}) PDB minAvailable`);
      const hpa = r.manifests.find((m) => m.kind === "HorizontalPodAutoscaler");
      const floor = hpa ? hpa.spec.minReplicas : only(r, "Deployment").spec.replicas;
      assert.ok(floor >= 2, `${r.service} (${r.env}) runs at least 2 replicas (has ${floor})`);
    }));

  it("let the HPA own the replica count when autoscaling is on", () =>
    each((r) => {
      const hpa = r.manifests.find((m) => m.kind === "HorizontalPodAutoscaler");
      const deployment = only(r, "Deployment");
      if (!hpa) {
        assert.ok(deployment.spec.replicas >= 1);
        return;
      }
      assert.equal(hpa.apiVersion, "autoscaling/v2");
      assert.equal(deployment.spec.replicas, undefined, "no fixed replicas beside an HPA");
      assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
      assert.ok(hpa.spec.maxReplicas >= hpa.spec.minReplicas);
    }));

  it("deny all traffic but the listed rules, admitting callers on the HTTP port only and reaching Kafka on the MSK IAM port", () =>
    each((r) => {
      const np = only(r, "NetworkPolicy");
      assert.deepEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
      assert.deepEqual(np.spec.podSelector.matchLabels, only(r, "Deployment").spec.selector.matchLabels);
      for (const rule of np.spec.ingress) assert.deepEqual(rule.ports, [{ port: "http", protocol: "TCP" }]);
      const egressPorts = np.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
      assert.ok(egressPorts.includes(mskIamPort), `${r.service} (${r.env}) may reach Kafka on ${mskIamPort}`);
      assert.ok(egressPorts.includes(53), "DNS");
      assert.ok(egressPorts.includes(443), "AWS APIs");
      const allowed = new Set([53, 443, mskIamPort, 4317, 4318]);
      for (const port of egressPorts) assert.ok(allowed.has(port), `${r.service} (${r.env}) egress to unexpected port ${port}`);
    }));

  it("keep the dispatcher's internet egress away from the instance metadata range", () => {
    for (const r of rendered.filter((x) => x.service === "dispatcher")) {
      const wide = only(r, "NetworkPolicy").spec.egress.flatMap((rule: any) => rule.to).filter((peer: any) => peer.ipBlock?.cidr === "0.0.0.0/0");
      assert.ok(wide.length > 0, "the dispatcher reaches partners on the internet");
      for (const peer of wide) assert.ok(peer.ipBlock.except.includes("169.254.0.0/16"), `dispatcher (${r.env}) excludes link-local`);
    }
  });

  it("admit the admin API only from its own namespace and the metrics scraper", () => {
    for (const r of rendered.filter((x) => x.service === "admin")) {
      const peers = only(r, "NetworkPolicy").spec.ingress.flatMap((rule: any) => rule.from);
      for (const peer of peers) {
        assert.equal(peer.ipBlock, undefined, "no address range reaches the admin API");
        assert.ok(["webhooks-admin", "observability"].includes(peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]));
      }
      assert.equal(r.manifests.filter((m) => m.kind === "Ingress").length, 0, "the admin API has no Ingress");
    }
  });

  it("give each service the environment it reads: its port and the brokers of exactly the clusters model/access.ts gives it", () =>
    each((r) => {
      const data = only(r, "ConfigMap").data ?? {};
      assert.equal(data.PORT, String(servicePorts[r.service].port));
      assert.equal(data.KAFKA_AUTH, "aws-iam");
      const roles = kafkaRolesOf(r.service);
      assert.equal("KAFKA_INGRESS_BROKERS" in data, roles.includes("ingress"), `${r.service} ingress brokers`);
      assert.equal("KAFKA_EGRESS_BROKERS" in data, roles.includes("egress"), `${r.service} egress brokers`);
      for (const brokers of [data.KAFKA_INGRESS_BROKERS, data.KAFKA_EGRESS_BROKERS].filter(Boolean)) {
        for (const broker of brokers!.split(",")) assert.ok(broker.endsWith(`:${mskIamPort}`), `${broker} is an IAM listener`);
      }
      assert.equal(only(r, "Deployment").spec.template.spec.containers[0].envFrom[0].configMapRef.name, only(r, "ConfigMap").metadata.name);
    }));

  it("put the gateway behind an ALB: target type ip, health check on /readyz, HTTPS 443 with the certificate where one is set", () => {
    for (const r of rendered.filter((x) => x.service === "gateway")) {
      const ingress = only(r, "Ingress");
      const a = ingress.metadata.annotations ?? {};
      assert.equal(ingress.spec.ingressClassName, "alb");
      assert.equal(a["alb.ingress.kubernetes.io/target-type"], "ip");
      assert.equal(a["alb.ingress.kubernetes.io/scheme"], r.env === "dev" ? "internal" : "internet-facing");
      assert.equal(a["alb.ingress.kubernetes.io/healthcheck-path"], "/readyz");
      const backend = ingress.spec.rules[0].http.paths[0].backend.service;
      assert.deepEqual(backend, { name: only(r, "Service").metadata.name, port: { name: "http" } });
      if (r.env === "dev") {
        assert.equal(a["alb.ingress.kubernetes.io/certificate-arn"], undefined, "dev has no domain, so no certificate");
        assert.equal(a["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP":80}]', "inside the VPC only");
        continue;
      }
      assert.equal(a["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTPS":443}]');
      assert.match(a["alb.ingress.kubernetes.io/certificate-arn"] ?? "", /^arn:aws:acm:/);
      assert.ok(ingress.spec.rules[0].host, `${r.env} serves its domain`);
    }
  });
});
