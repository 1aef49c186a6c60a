// The HTTP server every service starts: fastify with /healthz, /readyz and /metrics, per-route
// request timing, and the one place where errors become RFC 9457 problem+json (including the
// 404 of an unknown path and the 405 of a known path with the wrong method).

import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { ServiceMetrics } from "../metrics";
import type { Readiness } from "../readiness";
import { HttpProblem, problemContentType } from "./problem";

export interface HttpServerOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request lines would dominate the logs at ingest rates; failures are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A stuck client must not hold a connection (and a graceful shutdown) forever.
    requestTimeout: 30_000,
    return503OnClosing: true,
  });

  const routes = trackRoutes(app);

  app.addHook("onResponse", async (request, reply) => {
    options.metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, "request failed");
      return sendProblem(reply, new HttpProblem(status, "internal-error", "the request could not be completed; it is safe to retry"));
    }
    return sendProblem(reply, new HttpProblem(status, fastifyErrorKind(error), error.message));
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = routes.methodsFor(path);
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        new HttpProblem(405, "method-not-allowed", `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`, undefined, {
          headers: { allow: allowed.join(", ") },
        }),
      );
    }
    return sendProblem(reply, new HttpProblem(404, "not-found", `no resource at ${path}`));
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const report = await options.readiness.report();
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? "ready" : "not ready", checks: report.checks });
  });
  app.get("/metrics", async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  return app;
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply.code(problem.status).type(problemContentType).send(JSON.stringify(problem.toDocument()));
}

function fastifyErrorKind(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "body-too-large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported-media-type";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "malformed-json";
    default:
      return error instanceof SyntaxError ? "malformed-json" : "bad-request";
  }
}

/** Remembers every route's method and path pattern, to tell a wrong method (405) from an unknown path (404). */
function trackRoutes(app: FastifyInstance): { methodsFor(path: string): string[] } {
  const known: { methods: string[]; pattern: RegExp }[] = [];
  app.addHook("onRoute", (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== "HEAD");
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+")}/?$`);
    known.push({ methods, pattern });
  });
  return {
    methodsFor(path) {
      return [...new Set(known.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
    },
  };
}
