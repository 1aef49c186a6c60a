// The bench's side of the receiver process: the endpoints' URLs and secrets, and what arrived
// at each endpoint (first arrival per reference, duplicates and unverified requests counted).

import { startBenchChild, type BenchChild } from "./child";
import type { Arrival, ReceiverCommand, ReceiverReport } from "./receiver-protocol";

export interface EndpointTally {
  /** First arrival time per reference. */
  firstArrival: Map<string, number>;
  duplicates: number;
  unverified: number;
  lastArrivalAt: number;
}

export class BenchReceiver {
  private readonly tallies = new Map<string, EndpointTally>();

  private constructor(private readonly child: BenchChild) {
    child.process.on("message", (report: ReceiverReport) => {
      if (report.kind === "arrivals") for (const a of report.arrivals) this.record(a);
    });
  }

  static async start(): Promise<BenchReceiver> {
    return new BenchReceiver(await startBenchChild("receiver-process.ts"));
  }

  url(endpoint: string): string {
    return `http://127.0.0.1:${this.child.port}/hooks/${endpoint}`;
  }

  setSecret(endpoint: string, secret: string): void {
    const command: ReceiverCommand = { kind: "secret", endpoint, secret };
    this.child.process.send(command);
  }

  tally(endpoint: string): EndpointTally {
    let t = this.tallies.get(endpoint);
    if (!t) this.tallies.set(endpoint, (t = { firstArrival: new Map(), duplicates: 0, unverified: 0, lastArrivalAt: 0 }));
    return t;
  }

  /** Forgets what arrived at an endpoint (between runs). */
  reset(endpoint: string): void {
    this.tallies.delete(endpoint);
  }

  /** Resolves when `count` distinct references arrived at the endpoint, or false after `timeoutMs`. */
  async waitFor(endpoints: string[], count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (endpoints.every((e) => this.tally(e).firstArrival.size >= count)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return endpoints.every((e) => this.tally(e).firstArrival.size >= count);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }

  private record(a: Arrival): void {
    const t = this.tally(a.endpoint);
    if (!a.verified) t.unverified++;
    if (t.firstArrival.has(a.reference)) t.duplicates++;
    else t.firstArrival.set(a.reference, a.at);
    t.lastArrivalAt = Math.max(t.lastArrivalAt, a.at);
  }
}
