// Circuit breaker per endpoint (URL origin), on cockatiel's ConsecutiveBreaker.
//
// cockatiel fits the Kafka flow as is: a delivery runs inside `execute`; while the circuit
// is open (and while a half-open probe is in flight) `execute` throws BrokenCircuitError
// without running the attempt, which the dispatcher records as "circuit_open" and sends to
// the next retry tier like any failed attempt. After CIRCUIT_BREAKER_HALF_OPEN_MS the next
// delivery is the one probe; its success closes the circuit, its failure reopens it.
// A "failure" is any attempt whose outcome is a retry (5xx, 429/503, 3xx, timeouts, network
// errors); 2xx and 410 are answers from a healthy receiver.
//
// State is per dispatcher process: with several replicas each one opens on its own
// evidence, which at worst multiplies the probes by the replica count.

import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhenResult, type CircuitBreakerPolicy } from "cockatiel";
import type { AttemptOutcome } from "./deliver";

export interface BreakerOptions {
  /** CIRCUIT_BREAKER_THRESHOLD: consecutive failures that open the circuit. */
  threshold: number;
  /** CIRCUIT_BREAKER_HALF_OPEN_MS: how long the circuit stays open before one probe. */
  halfOpenAfterMs: number;
  /** Called on every state change, e.g. to export a gauge. */
  onStateChange?: (endpoint: string, state: CircuitStateName) => void;
}

export type CircuitStateName = "closed" | "open" | "half_open";

const stateNames: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "open",
};

/** The endpoint a breaker guards: scheme, host and port of the URL. */
export function endpointOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export type Guarded = { ran: true; outcome: AttemptOutcome } | { ran: false };

export class EndpointBreakers {
  private readonly policies = new Map<string, CircuitBreakerPolicy>();

  constructor(private readonly opts: BreakerOptions) {
    if (!Number.isInteger(opts.threshold) || opts.threshold < 1) throw new Error(`circuit breaker threshold must be a whole number >= 1, got ${opts.threshold}`);
  }

  private policyFor(endpoint: string): CircuitBreakerPolicy {
    let policy = this.policies.get(endpoint);
    if (!policy) {
      policy = circuitBreaker(
        handleWhenResult((r) => (r as AttemptOutcome).kind === "retry"),
        { halfOpenAfter: this.opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.opts.threshold) },
      );
      policy.onStateChange((s) => this.opts.onStateChange?.(endpoint, stateNames[s]));
      this.policies.set(endpoint, policy);
    }
    return policy;
  }

  /** Runs the attempt unless the endpoint's circuit is open; `ran: false` means no request was sent. */
  async run(url: string, attempt: () => Promise<AttemptOutcome>): Promise<Guarded> {
    try {
      return { ran: true, outcome: await this.policyFor(endpointOf(url)).execute(attempt) };
    } catch (err) {
      if (err instanceof BrokenCircuitError) return { ran: false };
      throw err;
    }
  }

  state(url: string): CircuitStateName {
    const policy = this.policies.get(endpointOf(url));
    return policy ? stateNames[policy.state] : "closed";
  }
}
