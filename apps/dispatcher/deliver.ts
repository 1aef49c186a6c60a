// One HTTP delivery attempt, and what it means for the delivery.
//
// undici Agent with the SSRF-guarded connector (apps/shared/target-guard.ts): the connect
// timeout bounds TCP + TLS, an AbortSignal bounds the whole attempt (connect, headers, body).
// Redirects are not followed (undici's request does not, and no redirect interceptor is
// installed): a 3xx is a failed attempt. The response body is read up to a small bound, so
// the connection can be reused, and discarded; only its first bytes are kept for the record.

import { Agent, request } from "undici";
import { createGuardedConnector, type ResolveAll } from "../shared/target-guard";
import type { DeliveryAttempt } from "../../model/records";

/** Values of DeliveryAttempt.result written by the dispatcher. */
export type AttemptResult =
  | "success"
  | "gone"
  | "throttled"
  | "http_error"
  | "redirect"
  | "timeout"
  | "connect"
  | "dns"
  | "tls"
  | "refused_target"
  | "network"
  | "circuit_open";

/** What the dispatcher does next, decided by one attempt. */
export type AttemptOutcome =
  | { kind: "success"; result: "success"; statusCode: number; durationMs: number }
  | { kind: "gone"; result: "gone"; statusCode: 410; durationMs: number }
  | { kind: "retry"; result: Exclude<AttemptResult, "success" | "gone">; statusCode?: number; durationMs: number; error: string; retryAfterMs?: number };

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface DelivererOptions {
  /** DELIVERY_TIMEOUT_MS: bound on connect and on the whole attempt. */
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /** Bytes of response body read before the connection is dropped. */
  maxResponseBytes?: number;
  /** Name resolution for the guard; the system resolver when absent. */
  resolve?: ResolveAll;
  userAgent?: string;
}

const keptBodyChars = 200;

/** Retry-After: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const text = v.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const tlsCodes = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** The result class of an error thrown by an attempt (the error or its cause). */
export function classifyError(err: unknown): Exclude<AttemptResult, "success" | "gone" | "throttled" | "http_error" | "redirect" | "circuit_open"> {
  for (let e = err as { code?: string; name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const code = e.code ?? "";
    if (code === "ERR_REFUSED_TARGET") return "refused_target";
    if (e.name === "TimeoutError" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "ETIMEDOUT") return "timeout";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL" || code === "EAI_NONAME") return "dns";
    if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") return "connect";
    if (tlsCodes.test(code)) return "tls";
  }
  return "network";
}

function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const parts = [e.code, e.message, e.cause?.code, e.cause?.message].filter((p): p is string => typeof p === "string" && p !== "");
  return [...new Set(parts)].join(": ").slice(0, 500) || String(err);
}

export class Deliverer {
  private readonly agent: Agent;
  private readonly maxResponseBytes: number;

  constructor(private readonly opts: DelivererOptions) {
    this.maxResponseBytes = opts.maxResponseBytes ?? 64 * 1024;
    this.agent = new Agent({
      connect: createGuardedConnector({
        allowPrivateTargets: opts.allowPrivateTargets,
        timeoutMs: opts.timeoutMs,
        ...(opts.resolve ? { resolve: opts.resolve } : {}),
      }),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
  }

  async attempt(req: DeliveryRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (!this.opts.allowPrivateTargets && !req.url.startsWith("https:")) {
      return { kind: "retry", result: "refused_target", durationMs: 0, error: "url must use https when private targets are not allowed" };
    }
    try {
      const res = await request(req.url, {
        method: "POST",
        dispatcher: this.agent,
        headers: { "content-type": "application/json", "user-agent": this.opts.userAgent ?? "webhooks-platform", ...req.headers },
        body: req.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const bodyStart = await this.drain(res.body);
      const statusCode = res.statusCode;
      const durationMs = elapsed();
      if (statusCode >= 200 && statusCode < 300) return { kind: "success", result: "success", statusCode, durationMs };
      if (statusCode === 410) return { kind: "gone", result: "gone", statusCode: 410, durationMs };
      if (statusCode === 429 || statusCode === 503) {
        const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
        return { kind: "retry", result: "throttled", statusCode, durationMs, error: `receiver answered ${statusCode}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      }
      if (statusCode >= 300 && statusCode < 400) {
        const location = res.headers.location;
        return { kind: "retry", result: "redirect", statusCode, durationMs, error: `receiver answered ${statusCode} (redirects are not followed)${location ? ` to ${String(location).slice(0, 200)}` : ""}` };
      }
      return { kind: "retry", result: "http_error", statusCode, durationMs, error: `receiver answered ${statusCode}${bodyStart ? `: ${bodyStart}` : ""}` };
    } catch (err) {
      return { kind: "retry", result: classifyError(err), durationMs: elapsed(), error: errorText(err) };
    }
  }

  /** Reads at most maxResponseBytes, then drops the rest; returns the first characters. */
  private async drain(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
    let read = 0;
    let first = "";
    try {
      for await (const chunk of body) {
        if (first.length < keptBodyChars) first += chunk.subarray(0, keptBodyChars).toString("utf8");
        read += chunk.length;
        if (read > this.maxResponseBytes) {
          body.destroy();
          break;
        }
      }
    } catch {
      // The status is what counts; a body cut short does not change the outcome.
    }
    return first.slice(0, keptBodyChars).replace(/\s+/g, " ").trim();
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The DeliveryAttempt item of an outcome. */
export function attemptRecord(attempt: number, startedAt: Date, outcome: AttemptOutcome): DeliveryAttempt {
  return {
    attempt,
    at: startedAt.toISOString(),
    duration_ms: outcome.durationMs,
    result: outcome.result,
    ...(outcome.statusCode !== undefined ? { status_code: outcome.statusCode } : {}),
    ...(outcome.kind === "retry" ? { error: outcome.error } : {}),
  };
}
