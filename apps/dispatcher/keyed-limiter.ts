// Bounded concurrency with order per key: at most `limit` tasks run at once, and tasks with
// the same key start one after another in the order they were given. The dispatcher uses one
// per partition batch, keyed by the record key, so one source's events reach a partner in
// order while other sources' events go alongside.
//
// A task may let go early: calling its `release` argument hands the key and the slot to the
// next task while the rest of the first finishes. The dispatcher releases once the webhook
// request is answered, so the next event of the source is sent while the outcome of the
// previous one is still being written.

export type Release = () => void;

export class KeyedLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a whole number >= 1, got ${limit}`);
  }

  run<T>(key: string | undefined, task: (release: Release) => Promise<T>): Promise<T> {
    const previous = key === undefined ? undefined : this.tails.get(key);
    let released!: () => void;
    const tail = new Promise<void>((resolve) => (released = resolve));
    const result = (previous ?? Promise.resolve()).then(() => this.withSlot(task, released));
    if (key !== undefined) {
      this.tails.set(key, tail);
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
    return result;
  }

  private async withSlot<T>(task: (release: Release) => Promise<T>, releaseKey: () => void): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over, not re-counted
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      releaseKey();
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
    try {
      return await task(release);
    } finally {
      release();
    }
  }
}
