// A consumer group member over every topic matching a pattern, including topics created
// after it started. kafkajs resolves a subscription's pattern once, at subscribe time, so
// this lists the cluster's topics every `refreshMs` and, when a new matching topic appears,
// replaces its consumer with one subscribed to the longer list. The old consumer's disconnect
// waits for the batch in hand, and offsets are committed by the caller's handler, so the
// switch loses nothing; new topics are read from their beginning (no committed offset yet).

import type { Admin, Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from "kafkajs";
import type { Logger } from "pino";

export interface PatternConsumerOptions {
  kafka: Kafka;
  pattern: RegExp;
  consumer: ConsumerConfig;
  /** How often the topic list is read for new matching topics. */
  refreshMs: number;
  /** The handler config given to each consumer's run(); it receives the consumer it runs on. */
  run: (consumer: Consumer) => ConsumerRunConfig;
  logger: Logger;
  /** Called when a consumer starts on a topic list (tests and metrics). */
  onSubscribed?: (topics: readonly string[]) => void;
}

export class PatternConsumer {
  private admin: Admin;
  private consumer: Consumer | undefined;
  private topics: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: PatternConsumerOptions) {
    this.admin = opts.kafka.admin();
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.refresh();
    this.schedule();
  }

  /** The topics the running consumer reads. */
  subscribedTopics(): readonly string[] {
    return this.topics;
  }

  /** Reads the topic list now and restarts the consumer when new matching topics exist. */
  refreshNow(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.refresh()).catch((err: unknown) => {
      this.opts.logger.warn({ err }, "topic refresh failed; will try again");
    });
    return this.refreshing;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refreshNow().finally(() => this.schedule());
    }, this.opts.refreshMs);
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    const matching = (await this.admin.listTopics()).filter((t) => this.opts.pattern.test(t)).sort();
    const added = matching.filter((t) => !this.topics.includes(t));
    if (added.length === 0 && this.consumer) return;
    if (matching.length === 0) return;
    this.opts.logger.info({ added, total: matching.length }, "subscribing to matching topics");
    const previous = this.consumer;
    // Cleared first: if what follows fails, the next refresh starts a consumer again.
    this.consumer = undefined;
    await previous?.disconnect();
    if (this.stopped) return;
    const consumer = this.opts.kafka.consumer(this.opts.consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: matching, fromBeginning: true });
      await consumer.run(this.opts.run(consumer));
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
    this.consumer = consumer;
    this.topics = matching;
    this.opts.onSubscribed?.(matching);
  }

  /** Stops reading: the batch in hand finishes (and commits), then the consumer leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.refreshing;
    await this.consumer?.disconnect();
    this.consumer = undefined;
    await this.admin.disconnect();
  }
}
