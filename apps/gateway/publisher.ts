// Producer batching: concurrent requests share produce requests. Records are queued per topic
// for a short linger (PRODUCER_LINGER_MS), then each topic's queue goes out as one sendBatch
// (acks=all); a caller's promise settles when every batch holding its records is acknowledged
// or one fails. Throughput then does not pay one broker round trip per HTTP request, and
// durability is unchanged. Queues are per topic so a failing topic (deleted, unauthorised)
// fails only the requests that write to it, not every request that shared its linger.

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

export class BatchingPublisher implements RecordPublisher {
  private readonly queues = new Map<string, TopicQueue>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatchRecords: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: BatchingOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 1000;
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
    try {
      await this.producer.sendBatch({
        acks: -1,
        timeout: this.options.ackTimeoutMs ?? 5000,
        topicMessages: [{ topic, messages: waiters.flatMap((w) => w.messages) }],
      });
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
