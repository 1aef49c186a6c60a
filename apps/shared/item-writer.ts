// How the services write DynamoDB items: one conditional write at a time per caller, each
// answered on its own (written, or its condition failed with the item as it was). Two
// implementations, chosen per deployment by DYNAMODB_GROUP_COMMIT:
//
// - SingleItemWriter (the default, for AWS): every write is its own PutItem / UpdateItem /
//   DeleteItem request. DynamoDB scales out, and a write costs one write unit.
// - TransactionalWriteBatcher (write-batcher.ts; the local platform turns it on): the writes
//   in flight share one TransactWriteItems. DynamoDB Local runs all database work on one
//   thread and charges per request, so this is 5-10x more writes/s there; in AWS a
//   transactional write costs two write units, which is why it is not the default.
//
// Writes to one item land in the order they were made in both.

import { ConditionalCheckFailedException, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { TransactionalWriteBatcher } from "./write-batcher";

/** One write in document-client form (`{ Put }`, `{ Update }`, `{ Delete }`), as TransactWriteItems takes it. */
export type TransactWrite = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The identity of a written item for `WriteRequest.item`: its table and key values. */
export function itemIdentity(table: string, ...key: string[]): string {
  return [table, ...key].join("#");
}

export interface WriteRequest {
  /** Identifies the item written (table and key): writes with the same identity are applied in order. */
  item: string;
  write: TransactWrite;
}

export type WriteOutcome<Item = Record<string, unknown>> =
  | { kind: "written" }
  /** The write's condition did not hold; `old` is the item as it was (when the write asked for ALL_OLD). */
  | { kind: "conditionFailed"; old?: Item };

export interface ItemWriter {
  /** `Item` is the caller's type of the stored item, for `old`. */
  write<Item = Record<string, unknown>>(request: WriteRequest): Promise<WriteOutcome<Item>>;
}

/** One DynamoDB request as the writers report it to metrics. */
export interface WriteRequestObservation {
  /** Writes the request carried (1 for a single write). */
  writes: number;
  seconds: number;
  /** `condition_failed`: a write's condition did not hold (for a transaction: it was cancelled, for a condition or a conflict, and its other writes are sent again). */
  outcome: "ok" | "condition_failed" | "failed";
}

export type ObserveWriteRequest = (request: WriteRequestObservation) => void;

/** The low-level item that comes back with a failed condition, in document form. */
export function oldItem(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item ? unmarshall(item) : undefined;
}

export class SingleItemWriter implements ItemWriter {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly observe: ObserveWriteRequest = () => undefined,
  ) {}

  write<Item = Record<string, unknown>>(request: WriteRequest): Promise<WriteOutcome<Item>> {
    const previous = this.tails.get(request.item);
    const result = (previous ?? Promise.resolve()).then(() => this.send<Item>(request.write));
    const tail = result.catch(() => undefined);
    this.tails.set(request.item, tail);
    void tail.then(() => {
      if (this.tails.get(request.item) === tail) this.tails.delete(request.item);
    });
    return result;
  }

  private async send<Item>(write: TransactWrite): Promise<WriteOutcome<Item>> {
    const started = performance.now();
    const observe = (outcome: WriteRequestObservation["outcome"]) => this.observe({ writes: 1, seconds: (performance.now() - started) / 1000, outcome });
    try {
      await sendOne(this.doc, write);
      observe("ok");
      return { kind: "written" };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        observe("failed");
        throw err;
      }
      observe("condition_failed");
      const old = oldItem(err.Item);
      // The stored item's type is the caller's word: DynamoDB returns whatever the item holds.
      return old ? { kind: "conditionFailed", old: old as Item } : { kind: "conditionFailed" };
    }
  }
}

async function sendOne(doc: DynamoDBDocumentClient, write: TransactWrite): Promise<void> {
  if (write.Put) await doc.send(new PutCommand(write.Put));
  else if (write.Update) await doc.send(new UpdateCommand(write.Update));
  else if (write.Delete) await doc.send(new DeleteCommand(write.Delete));
  else throw new Error("a write must be a Put, an Update or a Delete");
}

/** The writer a service uses: group commit when DYNAMODB_GROUP_COMMIT is on, single writes otherwise. */
export function createItemWriter(doc: DynamoDBDocumentClient, options: { groupCommit: boolean; observe?: ObserveWriteRequest }): ItemWriter {
  return options.groupCommit ? new TransactionalWriteBatcher(doc, options.observe ? { observe: options.observe } : {}) : new SingleItemWriter(doc, options.observe);
}
