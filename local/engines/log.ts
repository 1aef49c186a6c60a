// How the engine launchers report progress: one line per step, with its duration, so a slow
// cold start (downloads) is visible and a warm one can be compared with it.

export type EngineLog = (line: string) => void;

export const stderrLog: EngineLog = (line) => process.stderr.write(`[engines] ${line}\n`);

function seconds(sinceMs: number): string {
  return `${((performance.now() - sinceMs) / 1000).toFixed(1)}s`;
}

/** Runs a step and logs `<label> in 4.2s` when it is done (or `<label> failed after 4.2s`). */
export async function timed<T>(log: EngineLog, label: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await step();
    log(`${label} in ${seconds(started)}`);
    return result;
  } catch (error) {
    log(`${label} failed after ${seconds(started)}`);
    throw error;
  }
}
