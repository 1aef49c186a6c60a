// The ingest baseline: a bare Node HTTP server that does what any ingest endpoint must do and
// nothing more: read the body, parse it as JSON, answer 202 with a fresh id. The gateway's
// throughput is reported as a share of this one's, on the same machine, under the same load.

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ eventId: randomUUID() }));
  });
});

server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ ready: true, port: typeof address === "object" && address ? address.port : 0 });
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
