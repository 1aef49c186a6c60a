// SSRF guard for webhook delivery targets.
//
// Two checks, same rules:
// - checkDeliveryUrl: when a subscription is created (admin) and before each attempt
//   (dispatcher): the URL's shape, its scheme, and every address its host resolves to now.
// - createGuardedConnector: the undici connector the dispatcher's Agent uses, which checks
//   the address actually being connected to, at connect time. A name that resolved to a
//   public address at subscription time and to 127.0.0.1 now (DNS rebinding) is refused
//   here, before any TCP connection is opened.
//
// Instance metadata addresses are refused even when private targets are allowed.

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { buildConnector } from "undici";

export interface TargetPolicy {
  /** DELIVERY_ALLOW_PRIVATE_TARGETS: allow private, loopback, link-local ... targets and plain http. */
  allowPrivateTargets: boolean;
}

/** The shape of dns.lookup with `all: true`, so tests (and callers) may resolve names their own way. */
export type ResolveAll = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface CheckOptions extends TargetPolicy {
  resolve?: ResolveAll;
}

export type DeliveryUrlCheck = { ok: true; url: URL } | { ok: false; status: 400 | 422; reason: string };

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
  ["255.255.255.255", 32],
] as const) {
  nonPublic.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  nonPublic.addSubnet(net, prefix, "ipv6");
}

const instanceMetadata = new BlockList();
instanceMetadata.addAddress("169.254.169.254", "ipv4");
instanceMetadata.addAddress("fd00:ec2::254", "ipv6");

const ipv4Mapped = new BlockList();
ipv4Mapped.addSubnet("::ffff:0:0", 96, "ipv6");

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:yyyy). */
function embeddedIpv4(v6: string): string | undefined {
  if (!ipv4Mapped.check(v6, "ipv6")) return undefined;
  const tail = v6.slice(v6.lastIndexOf(":") + 1);
  if (tail.includes(".")) return tail;
  const groups = v6.split(":");
  const hi = parseInt(groups[groups.length - 2] || "0", 16);
  const lo = parseInt(tail || "0", 16);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

/** Why an address may not be connected to under the policy, or undefined when it may. */
export function refusalOf(address: string, policy: TargetPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IP address`;
  const v4 = family === 6 ? embeddedIpv4(address) : address;
  const [addr, type] = v4 !== undefined ? [v4, "ipv4" as const] : [address, "ipv6" as const];
  if (instanceMetadata.check(addr, type)) return `${address} is the instance metadata address, always refused`;
  if (!policy.allowPrivateTargets && nonPublic.check(addr, type)) {
    return `${address} is a private, loopback, link-local or otherwise non-public address`;
  }
  return undefined;
}

/** Thrown (to undici) when a connection would reach a refused address; the dispatcher classifies it. */
export class RefusedTargetError extends Error {
  readonly code = "ERR_REFUSED_TARGET";
  constructor(readonly hostname: string, reason: string) {
    super(`delivery target ${hostname} refused: ${reason}`);
    this.name = "RefusedTargetError";
  }
}

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

function stripBrackets(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/**
 * Checks a delivery URL: 400 when it is malformed (not a URL, not http(s), credentials, no
 * host, a fragment), 422 when it is well-formed but refused (http without private targets
 * allowed, a host that does not resolve, or one that is or resolves to a refused address).
 */
export async function checkDeliveryUrl(url: string, opts: CheckOptions): Promise<DeliveryUrlCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: "url is not an absolute URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { ok: false, status: 400, reason: `url scheme "${parsed.protocol.slice(0, -1)}" is not allowed; use https` };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return { ok: false, status: 400, reason: "url must not carry credentials (user:password@)" };
  }
  if (parsed.hostname === "") return { ok: false, status: 400, reason: "url has no host" };
  if (parsed.hash !== "") return { ok: false, status: 400, reason: "url must not have a #fragment" };
  if (parsed.protocol === "http:" && !opts.allowPrivateTargets) {
    return { ok: false, status: 422, reason: "url must use https" };
  }

  const host = stripBrackets(parsed.hostname);
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await (opts.resolve ?? systemResolve)(host)).map((a) => a.address);
    } catch (err) {
      return { ok: false, status: 422, reason: `url host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    if (addresses.length === 0) return { ok: false, status: 422, reason: `url host ${host} does not resolve` };
  }
  for (const address of addresses) {
    const refusal = refusalOf(address, opts);
    if (refusal !== undefined) {
      const via = address === host ? "" : ` (${host} resolves to it)`;
      return { ok: false, status: 422, reason: `url refused: ${refusal}${via}` };
    }
  }
  return { ok: true, url: parsed };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves the name and fails when any address it
 * resolves to is refused, so the socket never connects to it.
 */
export function createGuardedLookup(opts: CheckOptions) {
  const resolve = opts.resolve ?? systemResolve;
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : [...addresses];
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = "ENOTFOUND";
          callback(err, "");
          return;
        }
        for (const a of wanted) {
          const refusal = refusalOf(a.address, opts);
          if (refusal !== undefined) {
            callback(new RefusedTargetError(hostname, refusal), "");
            return;
          }
        }
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

export interface GuardedConnectorOptions extends CheckOptions {
  /** Connect timeout (TCP + TLS handshake), ms. */
  timeoutMs: number;
}

/**
 * The undici `connect` function of the dispatcher's Agent: literal addresses are checked
 * before connecting, names through the guarded lookup.
 */
export function createGuardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({ timeout: opts.timeoutMs, lookup: createGuardedLookup(opts) } as buildConnector.BuildOptions);
  return (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (isIP(host) !== 0) {
      const refusal = refusalOf(host, opts);
      if (refusal !== undefined) {
        callback(new RefusedTargetError(host, refusal), null);
        return;
      }
    }
    connect(options, callback);
  };
}
