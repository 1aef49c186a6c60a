// The gateway's HTTP surface: POST /v1/events. Translates HTTP to the ingest core and back;
// authentication and media type are settled before the body is read. With a tracer, each
// authenticated POST is one SERVER span `ingest`, child of the producer's traceparent, and the
// records carry that span's context; without one, no span work at all (childTraceHeaders).

import { SpanKind, type Span, type Tracer } from "@opentelemetry/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter } from "prom-client";
import type { Logger } from "pino";
import type { ProducerApiKeyItem } from "../../model/records";
import { bearerToken } from "../shared/api-keys";
import { HttpProblem, problems } from "../shared/http/problem";
import { createHttpServer } from "../shared/http/server";
import type { ServiceMetrics } from "../shared/metrics";
import type { Readiness } from "../shared/readiness";
import { childTraceHeaders, traceHeadersOf } from "../shared/trace-context";
import { endSpan, startSpanFrom } from "../shared/tracing";
import type { IngestService } from "./ingest";
import type { ProducerKeyLookup } from "./producer-keys";

export const cloudEventMediaTypes = {
  single: "application/cloudevents+json",
  batch: "application/cloudevents-batch+json",
} as const;

export interface GatewayAppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
  producerKeys: ProducerKeyLookup;
  ingest: IngestService;
  maxBodyBytes: number;
  /** Set when spans are exported (apps/shared/tracing.ts). */
  tracer?: Tracer;
}

declare module "fastify" {
  interface FastifyRequest {
    producer: ProducerApiKeyItem | null;
  }
}

export function buildGatewayApp(deps: GatewayAppDeps): FastifyInstance {
  const app = createHttpServer({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness, bodyLimit: deps.maxBodyBytes });
  const events = new Counter({
    name: "gateway_events_total",
    help: "Events answered by the gateway, by outcome",
    labelNames: ["outcome"] as const,
    registers: [deps.metrics.registry],
  });

  app.register(async (scope) => {
    scope.decorateRequest("producer", null);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([cloudEventMediaTypes.single, cloudEventMediaTypes.batch], { parseAs: "string" }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(new HttpProblem(400, "malformed-json", `the body is not valid JSON: ${(err as Error).message}`));
      }
    });

    scope.addHook("onRequest", async (request) => {
      const key = bearerToken(request.headers.authorization);
      if (!key) throw problems.unauthorized("send the producer API key as Authorization: Bearer <key>");
      let producer: ProducerApiKeyItem | undefined;
      try {
        producer = await deps.producerKeys.find(key);
      } catch (err) {
        request.log.warn({ err }, "producer key lookup failed");
        throw problems.unavailable("the API key could not be checked; retry later", 2);
      }
      if (!producer) throw problems.unauthorized("the API key is not known");
      request.producer = producer;
      if (mediaTypeOf(request) === undefined) {
        throw new HttpProblem(415, "unsupported-media-type", `Content-Type must be ${cloudEventMediaTypes.single} (one event) or ${cloudEventMediaTypes.batch} (an array)`);
      }
    });

    scope.post("/v1/events", async (request, reply) => {
      if (!deps.tracer) return acceptEvents(request, reply);
      const span = startSpanFrom(deps.tracer, "ingest", SpanKind.SERVER, request.headers, {
        "http.request.method": "POST",
        "http.route": "/v1/events",
        "webhooks.producer_id": request.producer!.producer_id,
      });
      try {
        const sent = await acceptEvents(request, reply, span);
        span.setAttribute("http.response.status_code", reply.statusCode);
        endSpan(span);
        return sent;
      } catch (err) {
        const status = err instanceof HttpProblem ? err.status : 500;
        span.setAttribute("http.response.status_code", status);
        // A 4xx is the producer's fault, not the server's (OpenTelemetry HTTP server conventions).
        endSpan(span, status >= 500 ? err : undefined);
        throw err;
      }
    });
  });

  async function acceptEvents(request: FastifyRequest, reply: FastifyReply, span?: Span) {
    const mode = mediaTypeOf(request)!;
    const body = request.body;
    if (mode === "batch" && (!Array.isArray(body) || body.length === 0)) {
      throw problems.badRequest(`${cloudEventMediaTypes.batch} must be a non-empty JSON array of CloudEvents`, [{ path: "/", message: "expected a non-empty array" }]);
    }
    if (mode === "single" && Array.isArray(body)) {
      throw problems.badRequest(`${cloudEventMediaTypes.single} carries one event; send an array as ${cloudEventMediaTypes.batch}`, [{ path: "/", message: "expected an object" }]);
    }
    const inputs: unknown[] = mode === "batch" ? (body as unknown[]) : [body];
    try {
      span?.setAttribute("webhooks.events", inputs.length);
      const trace = span ? traceHeadersOf(span.spanContext()) : childTraceHeaders(request.headers);
      const accepted = await deps.ingest.ingest(request.producer!, inputs, mode, trace);
      for (const a of accepted) events.inc({ outcome: a.duplicate ? "duplicate" : "accepted" });
      return reply.code(202).send(mode === "single" ? accepted[0] : { events: accepted });
    } catch (err) {
      events.inc({ outcome: err instanceof HttpProblem && err.status < 500 ? "rejected" : "unavailable" }, inputs.length);
      throw err;
    }
  }

  return app;
}

function mediaTypeOf(request: FastifyRequest): "single" | "batch" | undefined {
  const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === cloudEventMediaTypes.single) return "single";
  if (type === cloudEventMediaTypes.batch) return "batch";
  return undefined;
}
