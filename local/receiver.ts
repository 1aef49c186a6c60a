// The demo webhook receiver of the local platform: verifies every request with the
// `standardwebhooks` library, as a partner would, and logs what arrived.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";

export interface ReceivedWebhook {
  webhookId: string;
  type: string;
  verified: boolean;
  receivedAt: Date;
}

export interface DemoReceiver {
  readonly url: string;
  /** Secrets of the subscriptions delivering here; a request verifies when any of them signed it. */
  setSecrets(secrets: string[]): void;
  readonly received: readonly ReceivedWebhook[];
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error("body over 1 MiB"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function verifyWithAny(secrets: string[], body: string, headers: Record<string, string>): boolean {
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch {
      // try the next secret
    }
  }
  return false;
}

export async function startDemoReceiver(port: number, log: (line: string) => void): Promise<DemoReceiver> {
  let secrets: string[] = [];
  const received: ReceivedWebhook[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const body = await readBody(req);
    const headers = {
      "webhook-id": String(req.headers["webhook-id"] ?? ""),
      "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
      "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
    };
    const verified = verifyWithAny(secrets, body, headers);
    let type = "?";
    try {
      type = String((JSON.parse(body) as { type?: unknown }).type ?? "?");
    } catch {
      // logged as unverified below
    }
    received.push({ webhookId: headers["webhook-id"], type, verified, receivedAt: new Date() });
    if (verified) {
      log(`verified webhook ${headers["webhook-id"]} type=${type} body=${body}`);
      res.writeHead(204).end();
    } else {
      log(`REJECTED webhook ${headers["webhook-id"] || "(no id)"}: signature does not verify`);
      res.writeHead(401).end();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      log(`error: ${err.message}`);
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });

  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    setSecrets: (s) => {
      secrets = [...s];
    },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
