// POST /v1/producers {domain} -> 201 {producerId, domain, apiKey}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseInput } from "../../shared/http/validate";
import type { ProducerRegistry } from "../producers";
import { nameSegment } from "./inputs";

const createBody = z.strictObject({ domain: nameSegment("domain") });

export function producerRoutes(app: FastifyInstance, producers: ProducerRegistry): void {
  app.post("/v1/producers", async (request, reply) => {
    const { domain } = parseInput(createBody, request.body, "request body");
    return reply.code(201).send(await producers.create(domain));
  });
}
