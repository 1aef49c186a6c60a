// Producer batching: concurrent requests share produce requests. Records are collected for a
// short linger (PRODUCER_LINGER_MS), then sent with one sendBatch (acks=all); each caller's
// promise settles when the batch holding its records is acknowledged or fails. Throughput then
// does not pay one broker round trip per HTTP request, and durability is unchanged.

import type { Message, Producer, TopicMessages } from "kafkajs";

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

interface Pending {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatchingOptions {
  lingerMs: number;
  /** Flush at once when this many records wait, whatever the linger. */
  maxBatchRecords?: number;
  /** Broker-side wait for the in-sync replicas' acknowledgement. */
  ackTimeoutMs?: number;
}

export class BatchingPublisher implements RecordPublisher {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatchRecords: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: BatchingOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 1000;
  }

  publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.queuedRecords += records.length;
      if (this.queuedRecords >= this.maxBatchRecords || this.options.lingerMs === 0) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.lingerMs);
    });
  }

  /** Sends what is queued and waits for every batch in flight (shutdown). */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.queuedRecords = 0;
    const sending = this.send(batch);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      await this.producer.sendBatch({ acks: -1, timeout: this.options.ackTimeoutMs ?? 5000, topicMessages: byTopic(batch) });
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

/** Groups records by topic, keeping each caller's order within a topic. */
function byTopic(batch: Pending[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const { records } of batch) {
    for (const r of records) {
      let messages = topics.get(r.topic);
      if (!messages) topics.set(r.topic, (messages = []));
      messages.push({ key: r.key, value: r.value, headers: r.headers });
    }
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
