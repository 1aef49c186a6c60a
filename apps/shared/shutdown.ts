// Graceful shutdown on SIGTERM / SIGINT: stop intake (close the HTTP server, which waits for
// in-flight requests), then run the service's own steps in order (flush producers, commit,
// disconnect), then exit 0. A second signal or a stuck step ends the process with exit 1.

import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  server?: FastifyInstance;
  steps: ShutdownStep[];
  /** Kubernetes waits terminationGracePeriodSeconds (30 s by default) before SIGKILL. */
  deadlineMs?: number;
}

/** Runs the shutdown sequence once; later calls return the same promise. */
export function shutdownSequence(options: ShutdownOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () =>
    (running ??= (async () => {
      if (options.server) {
        options.logger.info("shutdown: closing the HTTP server, waiting for in-flight requests");
        await options.server.close();
      }
      for (const step of options.steps) {
        try {
          await step.run();
          options.logger.info(`shutdown: ${step.name} done`);
        } catch (err) {
          options.logger.error({ err }, `shutdown: ${step.name} failed`);
        }
      }
    })());
}

export function installShutdown(options: ShutdownOptions): void {
  const shutdown = shutdownSequence(options);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      options.logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    signalled = true;
    options.logger.info(`${signal}: shutting down`);
    const deadline = setTimeout(() => {
      options.logger.error("shutdown did not finish in time: exiting");
      process.exit(1);
    }, options.deadlineMs ?? 25_000);
    deadline.unref();
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        options.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
