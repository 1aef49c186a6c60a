// Messages between the bench and its receiver process.

export interface Arrival {
  endpoint: string;
  /** The bench's id of the event, from the webhook body's data.reference. */
  reference: string;
  webhookId: string;
  verified: boolean;
  /** Epoch milliseconds, fractional. */
  at: number;
}

export type ReceiverCommand = { kind: "secret"; endpoint: string; secret: string };

export type ReceiverReport = { kind: "arrivals"; arrivals: Arrival[] };
