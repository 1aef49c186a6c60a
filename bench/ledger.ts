// The delivery ledger of a run: every delivery the platform owes (accepted events × their
// subscriptions) is delivered, failed (dead-lettered), or still in flight (records not yet
// consumed on the ingress, egress or retry topics). Whatever none of the three explains is
// missing, and a run with anything missing does not balance.

export interface LedgerCounts {
  /** Deliveries owed: events the gateway accepted (202) × subscriptions of their type. */
  published: number;
  /** Distinct deliveries that reached the receiver. */
  delivered: number;
  /** Deliveries dead-lettered after their last attempt. */
  failed: number;
  /** Deliveries still on their way, measured from consumer lag at the end of the run. */
  inFlight: number;
}

export interface Ledger extends LedgerCounts {
  missing: number;
  balanced: boolean;
}

/**
 * In-flight is measured, not derived, so it may overlap deliveries that arrived just before
 * the lag was read (consumed but not yet committed); it is therefore capped at what is
 * outstanding, and only a shortfall counts as missing.
 */
export function closeLedger(counts: LedgerCounts): Ledger {
  const outstanding = Math.max(0, counts.published - counts.delivered - counts.failed);
  const inFlight = Math.min(counts.inFlight, outstanding);
  const missing = outstanding - inFlight;
  return { ...counts, inFlight, missing, balanced: missing === 0 && counts.delivered + counts.failed <= counts.published };
}

/** In-flight deliveries from lag: ingress records not yet fanned out count once per subscription. */
export function inFlightFromLag(lag: { ingress: number; egress: number; retry: number }, fanOut: number): number {
  return lag.ingress * fanOut + lag.egress + lag.retry;
}
