// Imports the dashboards of observability/dashboards/ into a Grafana (Amazon Managed Grafana
// or any other) through its HTTP API, into one folder, overwriting earlier versions: the files
// are the source of truth. docs/configuration.md ("Dashboards") shows how to get a token.
//
//   GRAFANA_URL=https://g-xxx.grafana-workspace.us-east-1.amazonaws.com GRAFANA_TOKEN=glsa_... \
//     node --import tsx observability/grafana-import.ts

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const dashboardsDir = join(__dirname, "dashboards");

/** The folder the dashboards go to. */
export const dashboardFolder = { uid: "webhooks-platform", title: "Webhooks platform" } as const;

export interface DashboardFile {
  file: string;
  dashboard: Record<string, unknown> & { uid: string; title: string };
}

export function dashboardFiles(dir = dashboardsDir): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), "utf8")) as DashboardFile["dashboard"] }));
}

export interface ImportOptions {
  /** Grafana's base URL, e.g. https://g-abc.grafana-workspace.us-east-1.amazonaws.com */
  url: string;
  /** A service account token with the Editor role. */
  token: string;
  dashboards?: DashboardFile[];
  /** Recorded as the version message of each dashboard. */
  message?: string;
}

export interface ImportedDashboard {
  file: string;
  uid: string;
  url: string;
  version: number;
}

async function call(o: ImportOptions, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(new URL(path, o.url), {
    method,
    headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json", accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text.slice(0, 200) };
  }
  return { status: response.status, json };
}

function failure(what: string, r: { status: number; json: any }): Error {
  return new Error(`Grafana refused ${what}: HTTP ${r.status}${r.json?.message ? `: ${r.json.message}` : ""}`);
}

/** Creates the folder when missing, then creates or overwrites every dashboard in it. */
export async function importDashboards(o: ImportOptions): Promise<ImportedDashboard[]> {
  if (!/^https?:\/\//.test(o.url)) throw new Error(`GRAFANA_URL must be an http(s) URL, got ${JSON.stringify(o.url)}`);
  if (!o.token) throw new Error("GRAFANA_TOKEN must be a Grafana service account token (Editor role)");
  const folder = await call(o, "GET", `/api/folders/${dashboardFolder.uid}`);
  if (folder.status === 404) {
    const created = await call(o, "POST", "/api/folders", dashboardFolder);
    if (created.status !== 200) throw failure(`the folder "${dashboardFolder.title}"`, created);
  } else if (folder.status !== 200) {
    throw failure(`reading the folder "${dashboardFolder.title}"`, folder);
  }
  const imported: ImportedDashboard[] = [];
  for (const { file, dashboard } of o.dashboards ?? dashboardFiles()) {
    const r = await call(o, "POST", "/api/dashboards/db", {
      // No id: Grafana matches on uid, so a re-import replaces the dashboard.
      dashboard: { ...dashboard, id: null },
      folderUid: dashboardFolder.uid,
      overwrite: true,
      message: o.message ?? `imported from observability/dashboards/${file}`,
    });
    if (r.status !== 200) throw failure(`dashboards/${file}`, r);
    imported.push({ file, uid: r.json.uid, url: r.json.url, version: r.json.version });
  }
  return imported;
}

if (require.main === module) {
  importDashboards({ url: process.env.GRAFANA_URL ?? "", token: process.env.GRAFANA_TOKEN ?? "" }).then(
    (done) => {
      for (const d of done) console.log(`${d.file}: ${d.url} (version ${d.version})`);
    },
    (err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
