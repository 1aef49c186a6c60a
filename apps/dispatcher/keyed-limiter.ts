// Bounded concurrency with order per key: at most `limit` tasks run at once, and tasks with
// the same key run one after another in the order they were given. The dispatcher uses one
// per partition batch, keyed by the record key, so one source's events reach a partner in
// order while other sources' events go alongside.

export class KeyedLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a whole number >= 1, got ${limit}`);
  }

  run<T>(key: string | undefined, task: () => Promise<T>): Promise<T> {
    const previous = key === undefined ? undefined : this.tails.get(key);
    const result = (previous ?? Promise.resolve()).then(() => this.withSlot(task));
    if (key !== undefined) {
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      this.tails.set(key, tail);
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
    return result;
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over, not re-counted
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
