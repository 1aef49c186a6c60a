// The partners' endpoints for the bench, in their own process: POST /hooks/{name} verifies the
// Standard Webhooks signature with that endpoint's secret (as a partner would), answers 204,
// and reports each arrival to the bench over IPC: which endpoint, the bench's `reference`
// from the body, the webhook-id, whether the signature verified, and the arrival time
// (epoch ms with sub-millisecond precision, on the machine's one clock).

import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import type { Arrival, ReceiverCommand } from "./receiver-protocol";

const verifiers = new Map<string, Webhook>();
let pending: Arrival[] = [];

process.on("message", (command: ReceiverCommand) => {
  if (command.kind === "secret") verifiers.set(command.endpoint, new Webhook(command.secret));
});

function referenceOf(body: string): string {
  try {
    const reference = (JSON.parse(body) as { data?: { reference?: unknown } }).data?.reference;
    return typeof reference === "string" ? reference : "";
  } catch {
    return "";
  }
}

const server = createServer((req, res) => {
  const at = performance.timeOrigin + performance.now();
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const endpoint = (req.url ?? "").replace(/^\/hooks\//, "");
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = {
      "webhook-id": String(req.headers["webhook-id"] ?? ""),
      "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
      "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
    };
    let verified = false;
    try {
      verifiers.get(endpoint)?.verify(body, headers);
      verified = verifiers.has(endpoint);
    } catch {
      verified = false;
    }
    pending.push({ endpoint, reference: referenceOf(body), webhookId: headers["webhook-id"], verified, at });
    res.writeHead(204).end();
  });
});

const flush = setInterval(() => {
  if (pending.length === 0) return;
  process.send?.({ kind: "arrivals", arrivals: pending });
  pending = [];
}, 25);

server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ ready: true, port: typeof address === "object" && address ? address.port : 0 });
});
process.on("SIGTERM", () => {
  clearInterval(flush);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
