// GET /v1/events/{eventId}/deliveries: per subscription, the status and every attempt.

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseInput } from "../../shared/http/validate";
import type { DeliveryStatusReader } from "../deliveries";

const params = z.object({ eventId: z.uuid({ error: "eventId must be the event's UUID, as the gateway returned it" }) });

export function deliveryRoutes(app: FastifyInstance, deliveries: DeliveryStatusReader): void {
  app.get("/v1/events/:eventId/deliveries", async (request) => {
    const { eventId } = parseInput(params, request.params, "path");
    return { eventId, deliveries: await deliveries.forEvent(eventId) };
  });
}
