// What both ingest baselines share: a bare Node HTTP server that reads the body, parses it as
// JSON, hands it to `accept` (nothing, or a Kafka write) and answers 202 with a fresh id
// (503 when `accept` fails). It reports its port to the bench over IPC and stops on SIGTERM.

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

export function serveBaseline(accept: (event: unknown, body: string) => Promise<void> | void, onStop: () => Promise<void> = async () => undefined): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let event: unknown;
      try {
        event = JSON.parse(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
      Promise.resolve(accept(event, body)).then(
        () => res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ eventId: randomUUID() })),
        () => res.writeHead(503).end(),
      );
    });
  });

  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ ready: true, port: typeof address === "object" && address ? address.port : 0 });
  });
  process.on("SIGTERM", () => {
    server.closeAllConnections();
    server.close(() => void onStop().finally(() => process.exit(0)));
  });
}
