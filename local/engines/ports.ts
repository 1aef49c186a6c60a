// Loopback ports for the engines: a free one for tests, a fixed one for `npm start`.
import { createServer, type Server } from "node:net";

export const LOOPBACK = "127.0.0.1";

function listening(port: number, host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : port });
    });
  });
}

const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function listenOnce(port: number, host: string): Promise<number> {
  const bound = await listening(port, host);
  await closed(bound.server);
  return bound.port;
}

/** A port that nothing listens on right now (the kernel picks it). */
export function freePort(host = LOOPBACK): Promise<number> {
  return listenOnce(0, host);
}

/**
 * `count` ports that nothing listens on right now, all different: they are held open together
 * while the kernel picks them (one freePort() after another may hand out the same port twice).
 */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const bound = await Promise.all(Array.from({ length: count }, () => listening(0, host)));
  await Promise.all(bound.map((b) => closed(b.server)));
  return bound.map((b) => b.port);
}

export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  try {
    await listenOnce(port, host);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the port can be bound again, e.g. after an engine stopped. */
export async function waitForPortFree(port: number, timeoutMs: number, host = LOOPBACK): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortFree(port, host))) {
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} is still in use after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fails early, with the port and the variable that moves it, when a fixed port is taken. */
export async function requirePortFree(port: number, what: string, envVar?: string): Promise<void> {
  if (await isPortFree(port)) return;
  const hint = envVar ? ` (set ${envVar} to use another port)` : "";
  throw new Error(`${what}: port ${LOOPBACK}:${port} is already in use${hint}`);
}
