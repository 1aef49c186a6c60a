// The Grafana dashboards of observability/dashboards/*.json, and the queries of their panels.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dashboardsDir } from "../../observability/grafana-import";

export interface DashboardTarget {
  refId: string;
  datasource: { type: string; uid: string };
  expr?: string;
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

export function dashboards(): Dashboard[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dashboardsDir, file), "utf8")) as Omit<Dashboard, "file">) }));
}

/** Every panel, rows' nested panels included, without the rows themselves. */
export function panelsOf(d: Dashboard): DashboardPanel[] {
  return d.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
}
