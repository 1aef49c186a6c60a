// Reads the totals that node's TAP reporter writes at the end of a run
// (`# pass 4`, `# fail 1`, `# cancelled 0`, `# skipped 0`, `# todo 0`).

export interface TestCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The run's totals, or undefined when the TAP text has no summary (the runner did not finish). */
export function countsFromTap(tap: string): TestCounts | undefined {
  const totals = new Map<string, number>();
  // Nested subtests are indented; the run's own summary starts at the first column.
  for (const match of tap.matchAll(/^# (pass|fail|cancelled|skipped|todo) (\d+)$/gm)) {
    totals.set(match[1]!, Number(match[2]));
  }
  if (!totals.has("pass") || !totals.has("fail")) return undefined;
  const count = (key: string) => totals.get(key) ?? 0;
  return {
    passed: count("pass"),
    // A test cancelled by a timeout or a crash of its file did not pass.
    failed: count("fail") + count("cancelled"),
    skipped: count("skipped") + count("todo"),
  };
}

/** `N passed, N failed` (`, N skipped` when any): the line CI reads. */
export function summaryLine(counts: TestCounts): string {
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
  return `${counts.passed} passed, ${counts.failed} failed${skipped}`;
}
