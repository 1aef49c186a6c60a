// The dashboard import against a real HTTP server on 127.0.0.1 that answers as Grafana's
// folder and dashboard API does (status codes and bodies of /api/folders and /api/dashboards/db).

import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dashboardFiles, dashboardFolder, importDashboards } from "../../observability/grafana-import";

const token = "glsa_test_token";

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
}

class GrafanaApi {
  received: Received[] = [];
  folders = new Map<string, string>();
  dashboards = new Map<string, { version: number; folderUid: string; title: string }>();
  refuse?: { uid: string; status: number; message: string };
  private server: Server = createServer((req, res) => void this.handle(req).then(([status, body]) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    const path = req.url ?? "";
    this.received.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${token}`) return [401, { message: "invalid API key" }];
    const folder = /^\/api\/folders\/([^/]+)$/.exec(path);
    if (req.method === "GET" && folder) {
      const title = this.folders.get(folder[1]!);
      return title ? [200, { uid: folder[1], title }] : [404, { message: "folder not found" }];
    }
    if (req.method === "POST" && path === "/api/folders") {
      this.folders.set(body.uid, body.title);
      return [200, { uid: body.uid, title: body.title }];
    }
    if (req.method === "POST" && path === "/api/dashboards/db") {
      const uid = body.dashboard.uid as string;
      if (this.refuse?.uid === uid) return [this.refuse.status, { message: this.refuse.message }];
      if (!this.folders.has(body.folderUid)) return [400, { message: "folder not found" }];
      const existing = this.dashboards.get(uid);
      if (existing && !body.overwrite) return [412, { message: "a dashboard with the same uid already exists" }];
      const version = (existing?.version ?? 0) + 1;
      this.dashboards.set(uid, { version, folderUid: body.folderUid, title: body.dashboard.title });
      return [200, { uid, url: `/d/${uid}/x`, version, status: "success" }];
    }
    return [404, { message: "not found" }];
  }
}

const grafana = new GrafanaApi();
before(() => grafana.start());
after(() => grafana.stop());
beforeEach(() => {
  grafana.received = [];
  grafana.refuse = undefined;
});

describe("importing the dashboards into Grafana", () => {
  it("creates the platform's folder and imports every dashboard file into it with the token", async () => {
    const done = await importDashboards({ url: grafana.url, token });
    const files = dashboardFiles();
    assert.deepEqual(done.map((d) => d.file), files.map((f) => f.file));
    assert.equal(grafana.folders.get(dashboardFolder.uid), dashboardFolder.title);
    for (const f of files) assert.deepEqual(grafana.dashboards.get(f.dashboard.uid), { version: 1, folderUid: dashboardFolder.uid, title: f.dashboard.title });
    assert.ok(grafana.received.every((r) => r.authorization === `Bearer ${token}`));
    const posted = grafana.received.filter((r) => r.path === "/api/dashboards/db");
    assert.ok(posted.every((r) => r.body.overwrite === true && r.body.dashboard.id === null));
  });

  it("replaces the dashboards on a second import: same uids, next version, folder kept", async () => {
    await importDashboards({ url: grafana.url, token });
    grafana.received = [];
    const done = await importDashboards({ url: grafana.url, token, message: "release 42" });
    assert.ok(done.length > 0);
    assert.ok(done.every((d) => d.version >= 2));
    assert.equal(grafana.dashboards.size, dashboardFiles().length);
    assert.equal(grafana.received.filter((r) => r.method === "POST" && r.path === "/api/folders").length, 0);
    assert.ok(grafana.received.filter((r) => r.path === "/api/dashboards/db").every((r) => r.body.message === "release 42"));
  });

  it("names the dashboard file and Grafana's reason when Grafana refuses one", async () => {
    grafana.refuse = { uid: "webhooks-kafka", status: 400, message: "Dashboard title cannot be empty" };
    await assert.rejects(importDashboards({ url: grafana.url, token }), /Grafana refused dashboards\/kafka\.json: HTTP 400: Dashboard title cannot be empty/);
  });

  it("says so when the token is refused", async () => {
    await assert.rejects(importDashboards({ url: grafana.url, token: "wrong" }), /Grafana refused reading the folder "Webhooks platform": HTTP 401: invalid API key/);
  });

  it("asks for the URL and the token before calling anything", async () => {
    await assert.rejects(importDashboards({ url: "", token }), /GRAFANA_URL must be an http\(s\) URL, got ""/);
    await assert.rejects(importDashboards({ url: grafana.url, token: "" }), /GRAFANA_TOKEN must be a Grafana service account token/);
    assert.equal(grafana.received.length, 0);
  });
});
