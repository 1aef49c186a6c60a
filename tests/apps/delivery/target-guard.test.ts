import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { checkDeliveryUrl, createGuardedConnector, refusalOf, type ResolveAll } from "../../../apps/shared/target-guard";

const fixedResolve =
  (table: Record<string, string[]>): ResolveAll =>
  async (hostname) => {
    const addrs = table[hostname];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

const publicDns = fixedResolve({
  "hooks.example.com": ["93.184.215.14"],
  "rebind.example.com": ["127.0.0.1"],
  "mixed.example.com": ["93.184.215.14", "10.1.2.3"],
  "metadata.example.com": ["169.254.169.254"],
});

describe("checkDeliveryUrl", () => {
  const strict = { allowPrivateTargets: false, resolve: publicDns };
  const lenient = { allowPrivateTargets: true, resolve: publicDns };

  it("accepts an https URL whose host resolves only to public addresses", async () => {
    const r = await checkDeliveryUrl("https://hooks.example.com/in?x=1", strict);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.url.pathname, "/in");
  });

  for (const [url, fragment] of [
    ["not a url", "not an absolute URL"],
    ["ftp://hooks.example.com/", 'scheme "ftp"'],
    ["https://user:pw@hooks.example.com/", "credentials"],
    ["https://hooks.example.com/#x", "fragment"],
  ] as const) {
    it(`answers 400 for ${url}`, async () => {
      const r = await checkDeliveryUrl(url, strict);
      assert.deepEqual(r.ok ? "ok" : [r.status, r.reason.includes(fragment)], [400, true]);
    });
  }

  it("answers 422 for plain http unless private targets are allowed", async () => {
    const r = await checkDeliveryUrl("http://hooks.example.com/", strict);
    assert.equal(!r.ok && r.status, 422);
    assert.match(!r.ok ? r.reason : "", /https/);
    assert.equal((await checkDeliveryUrl("http://hooks.example.com/", lenient)).ok, true);
  });

  for (const url of [
    "https://127.0.0.1/",
    "https://10.0.0.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[fd00:ec2::254]/",
    "https://100.64.0.1/",
    "https://192.168.1.1/",
    "https://172.31.255.255/",
    "https://0.0.0.0/",
    "https://0x7f.1/",
    "https://[fe80::1]/",
    "https://[64:ff9b::a00:1]/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://rebind.example.com/",
    "https://mixed.example.com/",
  ]) {
    it(`refuses ${url} with 422 when private targets are not allowed`, async () => {
      const r = await checkDeliveryUrl(url, strict);
      assert.equal(r.ok ? 200 : r.status, 422);
    });
  }

  it("answers 422 naming the host when it does not resolve", async () => {
    const r = await checkDeliveryUrl("https://nowhere.example.com/", strict);
    assert.equal(!r.ok && r.status, 422);
    assert.match(!r.ok ? r.reason : "", /nowhere\.example\.com does not resolve/);
  });

  it("allows private addresses when private targets are allowed", async () => {
    for (const url of ["http://127.0.0.1:8090/", "http://[::1]/", "http://10.0.0.1/", "http://rebind.example.com/"]) {
      assert.equal((await checkDeliveryUrl(url, lenient)).ok, true, url);
    }
  });

  it("refuses the instance metadata addresses even when private targets are allowed", async () => {
    for (const url of [
      "http://169.254.169.254/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://metadata.example.com/",
    ]) {
      const r = await checkDeliveryUrl(url, lenient);
      assert.equal(r.ok ? 200 : r.status, 422, url);
      assert.match(!r.ok ? r.reason : "", /metadata/, url);
    }
  });

  it("resolves through the system resolver by default (localhost is loopback)", async () => {
    const r = await checkDeliveryUrl("https://localhost/", { allowPrivateTargets: false });
    assert.equal(r.ok ? 200 : r.status, 422);
  });
});

describe("refusalOf", () => {
  it("lets public v4 and v6 addresses through", () => {
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      assert.equal(refusalOf(a, { allowPrivateTargets: false }), undefined, a);
    }
  });
  it("refuses the edges of the documented ranges", () => {
    for (const a of ["198.19.255.255", "203.0.113.9", "192.0.2.1", "192.88.99.1", "240.0.0.1", "100::1", "2001:db8::1", "fc00::1", "ff02::1", "::"]) {
      assert.notEqual(refusalOf(a, { allowPrivateTargets: false }), undefined, a);
    }
    for (const a of ["172.32.0.1", "100.128.0.1", "198.20.0.1", "11.0.0.1"]) {
      assert.equal(refusalOf(a, { allowPrivateTargets: false }), undefined, a);
    }
  });
});

describe("guarded undici connector", () => {
  let server: Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = createServer((_req, res) => res.end("hello"));
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function attempt(url: string, allowPrivateTargets: boolean, resolve?: ResolveAll) {
    const agent = new Agent({ connect: createGuardedConnector({ allowPrivateTargets, timeoutMs: 2000, ...(resolve ? { resolve } : {}) }) });
    try {
      const res = await request(url, { dispatcher: agent });
      return { status: res.statusCode, body: await res.body.text() };
    } catch (err) {
      return { error: err as Error & { code?: string } };
    } finally {
      await agent.close();
    }
  }

  it("refuses a loopback literal before any connection reaches the listener", async () => {
    const before = connections;
    const r = await attempt(`http://127.0.0.1:${port}/`, false);
    assert.equal(r.error?.code, "ERR_REFUSED_TARGET");
    assert.equal(connections, before);
  });

  it("refuses a name that resolves to loopback at connect time (DNS rebinding)", async () => {
    const before = connections;
    const r = await attempt(`http://rebind.example.com:${port}/`, false, fixedResolve({ "rebind.example.com": ["127.0.0.1"] }));
    assert.equal(r.error?.code, "ERR_REFUSED_TARGET");
    assert.match(r.error?.message ?? "", /rebind\.example\.com/);
    assert.equal(connections, before);
  });

  it("refuses localhost through the system resolver", async () => {
    const before = connections;
    const r = await attempt(`http://localhost:${port}/`, false);
    assert.equal(r.error?.code, "ERR_REFUSED_TARGET");
    assert.equal(connections, before);
  });

  it("connects to loopback when private targets are allowed", async () => {
    const r = await attempt(`http://127.0.0.1:${port}/`, true);
    assert.deepEqual(r, { status: 200, body: "hello" });
    const named = await attempt(`http://receiver.test:${port}/`, true, fixedResolve({ "receiver.test": ["127.0.0.1"] }));
    assert.deepEqual(named, { status: 200, body: "hello" });
  });

  it("refuses the metadata address even when private targets are allowed", async () => {
    const r = await attempt("http://169.254.169.254/latest/meta-data/", true);
    assert.equal(r.error?.code, "ERR_REFUSED_TARGET");
    const named = await attempt("http://imds.test/", true, fixedResolve({ "imds.test": ["fd00:ec2::254"] }));
    assert.equal(named.error?.code, "ERR_REFUSED_TARGET");
  });
});
