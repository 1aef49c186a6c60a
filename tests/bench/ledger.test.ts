import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeLedger, inFlightFromLag } from "../../bench/ledger";

describe("bench ledger", () => {
  it("balances when every published delivery is delivered", () => {
    const ledger = closeLedger({ published: 100, delivered: 100, failed: 0, inFlight: 0 });
    assert.equal(ledger.missing, 0);
    assert.equal(ledger.balanced, true);
  });

  it("balances when what is not delivered is failed or measured in flight", () => {
    const ledger = closeLedger({ published: 100, delivered: 90, failed: 4, inFlight: 6 });
    assert.deepEqual({ missing: ledger.missing, inFlight: ledger.inFlight, balanced: ledger.balanced }, { missing: 0, inFlight: 6, balanced: true });
  });

  it("reports the shortfall as missing when lag does not explain the outstanding deliveries", () => {
    const ledger = closeLedger({ published: 100, delivered: 90, failed: 2, inFlight: 3 });
    assert.equal(ledger.missing, 5);
    assert.equal(ledger.balanced, false);
  });

  it("caps measured in-flight at what is outstanding, since lag may still count records just delivered", () => {
    const ledger = closeLedger({ published: 100, delivered: 98, failed: 0, inFlight: 40 });
    assert.equal(ledger.inFlight, 2);
    assert.equal(ledger.balanced, true);
  });

  it("does not balance when more deliveries arrived than were published", () => {
    assert.equal(closeLedger({ published: 10, delivered: 11, failed: 0, inFlight: 0 }).balanced, false);
  });

  it("counts an ingress record not yet fanned out once per subscription", () => {
    assert.equal(inFlightFromLag({ ingress: 5, egress: 7, retry: 2 }, 3), 24);
  });
});
