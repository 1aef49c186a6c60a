// The gateway's HTTP surface: POST /v1/events. Translates HTTP to the ingest core and back;
// authentication and media type are settled before the body is read.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter } from "prom-client";
import type { Logger } from "pino";
import type { ProducerApiKeyItem } from "../../model/records";
import { bearerToken } from "../shared/api-keys";
import { HttpProblem, problems } from "../shared/http/problem";
import { createHttpServer } from "../shared/http/server";
import type { ServiceMetrics } from "../shared/metrics";
import type { Readiness } from "../shared/readiness";
import { childTraceHeaders } from "../shared/trace-context";
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
        const accepted = await deps.ingest.ingest(request.producer!, inputs, mode, childTraceHeaders(request.headers));
        for (const a of accepted) events.inc({ outcome: a.duplicate ? "duplicate" : "accepted" });
        return reply.code(202).send(mode === "single" ? accepted[0] : { events: accepted });
      } catch (err) {
        events.inc({ outcome: err instanceof HttpProblem && err.status < 500 ? "rejected" : "unavailable" }, inputs.length);
        throw err;
      }
    });
  });

  return app;
}

function mediaTypeOf(request: FastifyRequest): "single" | "batch" | undefined {
  const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === cloudEventMediaTypes.single) return "single";
  if (type === cloudEventMediaTypes.batch) return "batch";
  return undefined;
}
