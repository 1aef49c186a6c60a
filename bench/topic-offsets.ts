// Records on a topic, counted from its partitions' offsets: with an idempotent,
// non-transactional producer every record takes exactly one offset, so the difference of the
// high watermarks before and after a run is the number of records written in it.

import type { Admin } from "kafkajs";

export async function highWatermarks(admin: Admin, topic: string): Promise<number> {
  const partitions = await admin.fetchTopicOffsets(topic);
  return partitions.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Like highWatermarks, but 0 for a topic that does not exist (yet), without kafkajs's metadata retries. */
export async function highWatermarksIfExists(admin: Admin, topic: string): Promise<number> {
  return (await admin.listTopics()).includes(topic) ? highWatermarks(admin, topic) : 0;
}

/** Records not yet consumed by a group across every topic it reads that matches `topics`. */
export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    for (const p of high) {
      const done = committedByPartition.get(p.partition) ?? -1;
      lag += Number(p.high) - (done < 0 ? Number(p.low) : done);
    }
  }
  return lag;
}
