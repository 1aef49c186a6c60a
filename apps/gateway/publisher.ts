// Producer batching: concurrent requests share produce requests. Records are queued per topic
// for a short linger (PRODUCER_LINGER_MS), then each topic's queue goes out as one sendBatch
// (acks=all); a caller's promise settles when every batch holding its records is acknowledged
// or one fails. Throughput then does not pay one broker round trip per HTTP request, and
// durability is unchanged. Queues are per topic so a failing topic (deleted, unauthorised)
// fails only the requests that write to it, not every request that shared its linger.
//
// After a failed send the producer is replaced by a fresh one (a new producer id). The
// idempotent producer numbers its batches; a batch the broker wrote but whose acknowledgement
// was lost would otherwise share its sequence numbers with the next batch, which the broker
// could then acknowledge as a duplicate without writing it: a 202 for an event never written.

import type { Message, Producer } from "kafkajs";

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** What the ingest core needs from Kafka: resolve once every record is durably written. */
export interface RecordPublisher {
  publish(records: OutgoingRecord[]): Promise<void>;
}

interface Waiter {
  messages: Message[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TopicQueue {
  waiters: Waiter[];
  records: number;
  timer?: NodeJS.Timeout;
}

export interface BatchingOptions {
  lingerMs: number;
  /** Flush a topic's queue at once when this many records wait, whatever the linger. */
  maxBatchRecords?: number;
  /** Broker-side wait for the in-sync replicas' acknowledgement. */
  ackTimeoutMs?: number;
}

/** One producer instance and the sends running on it. */
interface Generation {
  producer: Producer;
  ready: Promise<void>;
  sending: number;
  retired: boolean;
}

export class BatchingPublisher implements RecordPublisher {
  private readonly queues = new Map<string, TopicQueue>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatchRecords: number;
  private current: Generation | undefined;

  constructor(
    private readonly createProducer: () => Producer,
    private readonly options: BatchingOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 1000;
  }

  /** Connects the producer now (at start), rather than on the first publish. */
  async connect(): Promise<void> {
    await this.acquire();
  }

  /** Flushes, then disconnects the producer (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    const generation = this.current;
    this.current = undefined;
    if (generation) await generation.ready.then(() => generation.producer.disconnect(), () => undefined);
  }

  publish(records: OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      messages.push({ key: r.key, value: r.value, headers: r.headers });
    }
    return Promise.all([...byTopic].map(([topic, messages]) => this.enqueue(topic, messages))).then(() => undefined);
  }

  /** Sends what is queued and waits for every batch in flight (shutdown). */
  async flush(): Promise<void> {
    for (const topic of [...this.queues.keys()]) this.flushTopic(topic);
    await Promise.allSettled([...this.inFlight]);
  }

  private enqueue(topic: string, messages: Message[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(topic);
      if (!queue) this.queues.set(topic, (queue = { waiters: [], records: 0 }));
      queue.waiters.push({ messages, resolve, reject });
      queue.records += messages.length;
      if (queue.records >= this.maxBatchRecords || this.options.lingerMs === 0) this.flushTopic(topic);
      else queue.timer ??= setTimeout(() => this.flushTopic(topic), this.options.lingerMs);
    });
  }

  private flushTopic(topic: string): void {
    const queue = this.queues.get(topic);
    if (!queue) return;
    this.queues.delete(topic);
    clearTimeout(queue.timer);
    const sending = this.send(topic, queue.waiters);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private async send(topic: string, waiters: Waiter[]): Promise<void> {
    let generation: Generation;
    try {
      generation = await this.acquire();
    } catch (err) {
      for (const w of waiters) w.reject(err);
      return;
    }
    generation.sending += 1;
    try {
      await generation.producer.sendBatch({
        acks: -1,
        timeout: this.options.ackTimeoutMs ?? 5000,
        topicMessages: [{ topic, messages: waiters.flatMap((w) => w.messages) }],
      });
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
      this.retire(generation);
    } finally {
      generation.sending -= 1;
      if (generation.retired && generation.sending === 0) void generation.producer.disconnect().catch(() => undefined);
    }
  }

  private async acquire(): Promise<Generation> {
    if (!this.current) {
      const producer = this.createProducer();
      this.current = { producer, ready: producer.connect(), sending: 0, retired: false };
    }
    const generation = this.current;
    try {
      await generation.ready;
    } catch (err) {
      // Not connected (broker down): the next send tries a new producer.
      if (this.current === generation) this.current = undefined;
      throw err;
    }
    return generation;
  }

  /** Later sends use a new producer; this one is disconnected once its sends have settled. */
  private retire(generation: Generation): void {
    if (generation.retired) return;
    generation.retired = true;
    if (this.current === generation) this.current = undefined;
  }
}
