import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bucketQuantile, parseBuckets, parseSumCount, subtractBuckets } from "../../bench/prometheus";

const scrape = (fast: number, slow: number) =>
  [
    "# HELP d Duration",
    `d_bucket{result="success",le="0.005"} ${fast}`,
    `d_bucket{result="success",le="0.25"} ${fast + slow}`,
    `d_bucket{result="success",le="+Inf"} ${fast + slow}`,
    `d_bucket{result="timeout",le="0.005"} 0`,
    `d_bucket{result="timeout",le="0.25"} 0`,
    `d_bucket{result="timeout",le="+Inf"} 1`,
    `d_sum{result="success"} 1`,
    `other_bucket{le="0.005"} 99`,
  ].join("\n");

describe("quantiles of a scraped Prometheus histogram", () => {
  it("sums the buckets of every label set of the metric and ignores other metrics", () => {
    const b = parseBuckets(scrape(10, 5), "d");
    assert.deepEqual([...b], [[0.005, 10], [0.25, 15], [Infinity, 16]]);
  });

  it("gives the upper bound of the bucket that holds the quantile, over the run's own observations", () => {
    const run = subtractBuckets(parseBuckets(scrape(100, 10), "d"), parseBuckets(scrape(10, 5), "d"));
    assert.equal(bucketQuantile(run, 0.5), 0.005);
    assert.equal(bucketQuantile(run, 0.99), 0.25);
  });

  it("has no quantile for an empty histogram", () => {
    assert.equal(bucketQuantile(new Map([[0.005, 0], [Infinity, 0]]), 0.5), undefined);
  });

  it("sums _sum and _count of a histogram over its label sets, with or without labels", () => {
    const text = [
      `w_sum{outcome="committed",service="dispatcher"} 300`,
      `w_count{outcome="committed",service="dispatcher"} 6`,
      `w_sum{outcome="cancelled",service="dispatcher"} 20`,
      `w_count{outcome="cancelled",service="dispatcher"} 1`,
      `w_count 2`,
      `w_bucket{le="50"} 6`,
      `ww_count 99`,
    ].join("\n");
    assert.deepEqual(parseSumCount(text, "w"), { sum: 320, count: 9 });
  });
});
