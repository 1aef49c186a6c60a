// Quantiles of a Prometheus histogram scraped from a service's /metrics, as the difference of
// two scrapes (the run's own observations). Resolution is the histogram's buckets: a quantile
// is reported as the upper bound of the bucket it falls in.

export type Buckets = Map<number, number>;

/** Cumulative bucket counts of `metric`, summed over every label set, by upper bound (le). */
export function parseBuckets(text: string, metric: string): Buckets {
  const buckets: Buckets = new Map();
  const pattern = new RegExp(`^${metric}_bucket\\{(?:.*,)?le="([^"]+)"(?:,.*)?\\} ([0-9.e+-]+)$`);
  for (const line of text.split("\n")) {
    const m = pattern.exec(line);
    if (!m) continue;
    const le = m[1] === "+Inf" ? Infinity : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

export function subtractBuckets(after: Buckets, before: Buckets): Buckets {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** The upper bound (same unit as the metric) of the bucket holding quantile q, or undefined when empty. */
export function bucketQuantile(buckets: Buckets, q: number): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  return sorted.find(([, cumulative]) => cumulative >= q * total)?.[0];
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

/** `_sum` and `_count` of a histogram, summed over every label set. */
export function parseSumCount(text: string, metric: string): { sum: number; count: number } {
  const total = { sum: 0, count: 0 };
  const pattern = new RegExp(`^${metric}_(sum|count)(?:\\{[^}]*\\})? ([0-9.e+-]+)$`);
  for (const line of text.split("\n")) {
    const m = pattern.exec(line);
    if (m) total[m[1] as "sum" | "count"] += Number(m[2]);
  }
  return total;
}
